import { LabIcon } from '@jupyterlab/ui-components';

/** A kernel "chip" with a pulse line: the Running panel's tab icon. */
const runningSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M7 3h2v2h2V3h2v2h2V3h2v2h2v2h2v2h-2v2h2v2h-2v2h2v2h-2v2h-2v2h-2v-2h-2v2h-2v-2H9v2H7v-2H5v-2H3v-2h2v-2H3v-2h2V9H3V7h2V5h2zm0 4v10h10V7z"/>
    <path d="M8 12.5h2l1-2.5 2 5 1-2.5h2v-1h-2.7l-.3.8-2-5-1.7 4.2H8z"/>
  </g>
</svg>`;

export const atelierRunningIcon = new LabIcon({
  name: 'atelier:running',
  svgstr: runningSvg
});
