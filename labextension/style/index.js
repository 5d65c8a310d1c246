import 'uplot/dist/uPlot.min.css';
import './base.css';
import './jobs.css';
import './status.css';
import './experiments-notebook.css';
import './experiments.css';
import './experiments-detail.css';
import './endpoints.css';
