import * as React from 'react';

import { formatBytes } from '../format';
import { IChannelRow } from '../trainingForm';
import { FieldError } from './FieldError';
import { RemoveRowButton } from './RemoveRowButton';

/** An upload in flight for a channel row. */
export interface IUploadState {
  file: string;
  done: number;
  total: number;
}

export interface IChannelRowsProps {
  rows: ReadonlyArray<IChannelRow>;
  rowErrors: (index: number) => string[];
  errors: ReadonlyArray<string>;
  uploads: ReadonlyMap<number, IUploadState>;
  /** Null when uploads are not possible (no default bucket). */
  uploadTarget: string | null;
  onChange: (rows: IChannelRow[]) => void;
  onUpload: (index: number, file: File) => void;
}

/** Input channels: name and S3 URI, or a local file uploaded first. */
export function ChannelRows(props: IChannelRowsProps): JSX.Element {
  const { rows, rowErrors, errors, uploads, uploadTarget, onChange, onUpload } =
    props;
  const set = (index: number, change: Partial<IChannelRow>): void =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset
      className="jp-AtelierJobs-fieldset"
      data-testid="job-form-channels"
    >
      <legend>Input channels</legend>
      {rows.map((row, i) => {
        const upload = uploads.get(i);
        return (
          <div className="jp-AtelierJobs-kvRow" key={i}>
            <input
              className="jp-AtelierJobs-input"
              data-testid={`job-form-channel-name-${i}`}
              aria-label={`Channel ${i + 1} name`}
              placeholder="train"
              value={row.name}
              onChange={event => set(i, { name: event.target.value })}
            />
            <input
              className="jp-AtelierJobs-input jp-AtelierJobs-grow"
              data-testid={`job-form-channel-uri-${i}`}
              aria-label={`Channel ${i + 1} S3 URI`}
              placeholder="s3://bucket/data/train/"
              value={row.uri}
              onChange={event => set(i, { uri: event.target.value })}
            />
            <label
              className={`jp-AtelierJobs-button jp-AtelierJobs-upload${uploadTarget && !upload ? '' : ' jp-mod-disabled'}`}
              title={
                uploadTarget
                  ? `Upload a local file to ${uploadTarget}`
                  : 'No default bucket is known: give an S3 URI'
              }
            >
              Upload file…
              <input
                type="file"
                data-testid={`job-form-channel-upload-${i}`}
                aria-label={`Upload a local file for channel ${i + 1}`}
                disabled={!uploadTarget || !!upload}
                onChange={event => {
                  const file = event.target.files?.[0];
                  event.target.value = '';
                  if (file) {
                    onUpload(i, file);
                  }
                }}
              />
            </label>
            <RemoveRowButton
              label={`Remove channel ${i + 1}`}
              rows={rows}
              index={i}
              onChange={onChange}
            />
            {upload && (
              <progress
                className="jp-AtelierJobs-uploadProgress"
                data-testid={`job-form-channel-progress-${i}`}
                max={upload.total || 1}
                value={upload.done}
                aria-label={`Uploading ${upload.file}`}
                title={`Uploading ${upload.file}: ${formatBytes(upload.done)} of ${formatBytes(upload.total)}`}
              />
            )}
            <FieldError messages={rowErrors(i)} />
          </div>
        );
      })}
      <button
        type="button"
        className="jp-AtelierJobs-button"
        data-testid="job-form-channel-add"
        aria-label="Add an input channel"
        title="Add an input channel"
        onClick={() =>
          onChange([
            ...rows,
            { name: rows.length === 0 ? 'train' : '', uri: '' }
          ])
        }
      >
        Add channel
      </button>
      <FieldError messages={errors} />
    </fieldset>
  );
}
