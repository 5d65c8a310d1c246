import * as React from 'react';

import { IExperimentsClient } from '../client';
import { IFileInfo } from '../tokens';
import {
  PreviewKind,
  crumbs,
  formatBytes,
  joinPath,
  previewKind
} from './artifacts';
import { fetchArtifact, saveBlob } from './fetch';

interface IPreview {
  path: string;
  kind: PreviewKind;
  url?: string;
  text?: string;
  error?: string;
}

/** A run's artifacts: folders to browse, files to download, images and text previewed. */
export function ArtifactBrowser(props: {
  client: IExperimentsClient;
  experimentId: string;
  runId: string;
}): JSX.Element {
  const { client, experimentId, runId } = props;
  const [folder, setFolder] = React.useState('');
  const [files, setFiles] = React.useState<IFileInfo[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [preview, setPreview] = React.useState<IPreview | null>(null);

  React.useEffect(() => {
    let live = true;
    setFiles(null);
    client
      .artifacts(experimentId, runId, folder)
      .then(answer => {
        if (live) {
          const sorted = [...(answer.files ?? [])].sort(
            (a, b) =>
              Number(!!b.is_dir) - Number(!!a.is_dir) ||
              a.path.localeCompare(b.path)
          );
          setFiles(sorted);
          setError(null);
        }
      })
      .catch(e => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [client, experimentId, runId, folder]);

  // Object URLs of image previews are released when the preview goes.
  React.useEffect(
    () => () => {
      if (preview?.url) {
        URL.revokeObjectURL(preview.url);
      }
    },
    [preview]
  );

  const url = (path: string): string =>
    client.artifactUrl(experimentId, runId, path);
  const open = async (file: IFileInfo): Promise<void> => {
    const path = joinPath(folder, file.path.split('/').pop() ?? file.path);
    if (file.is_dir) {
      setPreview(null);
      setFolder(path);
      return;
    }
    const kind = previewKind(path, file.file_size);
    setPreview({ path, kind });
    if (kind === 'none') {
      return;
    }
    try {
      const blob = await fetchArtifact(url(path));
      if (kind === 'image') {
        setPreview({ path, kind, url: URL.createObjectURL(blob) });
      } else {
        setPreview({ path, kind, text: await blob.text() });
      }
    } catch (e) {
      setPreview({
        path,
        kind,
        error: e instanceof Error ? e.message : String(e)
      });
    }
  };
  const download = async (path: string): Promise<void> => {
    try {
      saveBlob(path.split('/').pop() ?? path, await fetchArtifact(url(path)));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="jp-AtelierRunDetail-artifacts" data-testid="run-artifacts">
      <nav className="jp-AtelierRunDetail-crumbs" aria-label="Artifact folder">
        {crumbs(folder).map(([path, name], i, all) => (
          <React.Fragment key={path}>
            {i > 0 && <span aria-hidden="true"> / </span>}
            {i === all.length - 1 ? (
              <span aria-current="location">{name}</span>
            ) : (
              <button
                className="jp-AtelierRunDetail-link"
                onClick={() => {
                  setPreview(null);
                  setFolder(path);
                }}
              >
                {name}
              </button>
            )}
          </React.Fragment>
        ))}
      </nav>
      {error && (
        <div className="jp-AtelierRunDetail-error" role="alert">
          {error}
        </div>
      )}
      {files === null && !error && <div>Loading artifacts…</div>}
      {files !== null && files.length === 0 && (
        <div className="jp-AtelierRunDetail-empty">No artifacts.</div>
      )}
      {files !== null && files.length > 0 && (
        <ul className="jp-AtelierRunDetail-files" aria-label="Artifacts">
          {files.map(file => {
            const name = file.path.split('/').pop() ?? file.path;
            const path = joinPath(folder, name);
            return (
              <li
                key={name}
                data-artifact={path}
                aria-selected={preview?.path === path}
              >
                <button
                  className="jp-AtelierRunDetail-link"
                  onClick={() => void open(file)}
                  title={
                    file.is_dir ? `Open folder ${name}` : `Preview ${name}`
                  }
                >
                  {file.is_dir ? `${name}/` : name}
                </button>
                <span className="jp-AtelierRunDetail-size">
                  {file.is_dir ? '' : formatBytes(file.file_size)}
                </span>
                {!file.is_dir && (
                  <button
                    className="jp-mod-styled jp-AtelierRunDetail-download"
                    aria-label={`Download ${name}`}
                    onClick={() => void download(path)}
                  >
                    Download
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {preview && (
        <div
          className="jp-AtelierRunDetail-preview"
          data-testid="artifact-preview"
          data-kind={preview.kind}
        >
          {preview.error && <div role="alert">{preview.error}</div>}
          {preview.kind === 'none' && (
            <div>No preview of this file; download it instead.</div>
          )}
          {preview.kind === 'image' && preview.url && (
            <img src={preview.url} alt={preview.path} />
          )}
          {preview.kind === 'text' && preview.text !== undefined && (
            <pre aria-label={`Text of ${preview.path}`}>{preview.text}</pre>
          )}
        </div>
      )}
    </div>
  );
}
