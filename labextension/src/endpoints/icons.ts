import { LabIcon } from '@jupyterlab/ui-components';

/** A server box with an arrow in and out: the Endpoints panel's tab icon. */
const endpointsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M7 4h10a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm0 2v5h10V6zm0 7v5h10v-5zm2-5h2v1H9zm0 7h2v1H9z"/>
    <path d="M1 11h3v2H1zm19 0h3v2h-3z"/>
  </g>
</svg>`;

export const atelierEndpointsIcon = new LabIcon({
  name: 'atelier:endpoints',
  svgstr: endpointsSvg
});
