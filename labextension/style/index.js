import 'uplot/dist/uPlot.min.css';
import './base.css';
import './jobs.css';
import './experiments.css';
import './experiments-detail.css';
