import { LabIcon } from '@jupyterlab/ui-components';

/** A stack of job cards with a play mark: the Jobs panel's tab icon. */
const jobsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M4 6h14v2H6v10H4z"/>
    <path d="M8 10h12v10H8zm2 2v6h8v-6z"/>
    <path d="M12.5 13.2v3.6l3-1.8z"/>
  </g>
</svg>`;

export const atelierJobsIcon = new LabIcon({
  name: 'atelier:jobs',
  svgstr: jobsSvg
});
