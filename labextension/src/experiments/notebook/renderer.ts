import { RenderedHTML } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { renderLink } from './link';
import { EXPERIMENTS_MIME, ICommandRunner } from './tokens';

/**
 * An {@link EXPERIMENTS_MIME} output: the output's own HTML when it has some
 * (the display of an mlflow run: its table), rendered by JupyterLab's HTML
 * renderer with the notebook's trust and sanitizer, then the button.
 */
export class ExperimentsLinkRenderer
  extends Widget
  implements IRenderMime.IRenderer
{
  constructor(
    private readonly options: IRenderMime.IRendererOptions,
    private readonly commands: ICommandRunner
  ) {
    super();
    this.addClass('atelier-ExperimentsOutput');
    // As JupyterLab's own renderers mark their node.
    this.node.dataset.mimeType = EXPERIMENTS_MIME;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.replaceChildren();
    if (typeof model.data['text/html'] === 'string') {
      const html = new RenderedHTML({ ...this.options, mimeType: 'text/html' });
      await html.renderModel(model);
      this.node.append(html.node);
    }
    const link = document.createElement('div');
    renderLink(link, model.data[EXPERIMENTS_MIME], this.commands);
    this.node.append(link);
  }
}
