import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import {
  ICatalogs,
  IInstanceChoice,
  typeDetails,
  unavailableText
} from './spec';

export interface IPickerViewProps {
  catalogs: ICatalogs;
  value: IInstanceChoice;
  onChange: (value: IInstanceChoice) => void;
}

/** Radio groups of instance types and images. */
export function PickerView(props: IPickerViewProps): JSX.Element {
  const { catalogs, onChange } = props;
  const [value, setValue] = React.useState(props.value);
  const choose = (next: IInstanceChoice): void => {
    setValue(next);
    onChange(next);
  };
  const { types, images } = catalogs;
  return (
    <div className="jp-AtelierPicker">
      <fieldset className="jp-AtelierPicker-group">
        <legend>Instance type</legend>
        <div role="radiogroup" aria-label="Instance type">
          {types.instance_types.map(type => {
            const reason = unavailableText(type);
            const id = `atelier-type-${type.name}`;
            return (
              <label
                key={type.name}
                className="jp-AtelierPicker-option"
                data-disabled={reason !== null}
                title={reason ?? type.description ?? undefined}
                htmlFor={id}
              >
                <input
                  id={id}
                  type="radio"
                  name="atelier-instance-type"
                  value={type.name}
                  checked={value.instanceType === type.name}
                  disabled={reason !== null}
                  onChange={() => choose({ ...value, instanceType: type.name })}
                />
                <span className="jp-AtelierPicker-name">{type.name}</span>{' '}
                <span className="jp-AtelierPicker-details">
                  {typeDetails(type)}
                </span>{' '}
                {type.description && (
                  <span className="jp-AtelierPicker-description">
                    {type.description}
                  </span>
                )}{' '}
                {reason !== null && (
                  <span className="jp-AtelierPicker-reason">{reason}</span>
                )}
              </label>
            );
          })}
        </div>
      </fieldset>
      <fieldset className="jp-AtelierPicker-group">
        <legend>Image</legend>
        <div role="radiogroup" aria-label="Image">
          {images.images.map(image => {
            const id = `atelier-image-${image.name}`;
            return (
              <label
                key={image.name}
                className="jp-AtelierPicker-option"
                htmlFor={id}
              >
                <input
                  id={id}
                  type="radio"
                  name="atelier-image"
                  value={image.name}
                  checked={value.image === image.name}
                  onChange={() => choose({ ...value, image: image.name })}
                />
                <span className="jp-AtelierPicker-name">{image.name}</span>{' '}
                <span className="jp-AtelierPicker-details">
                  {image.display_name} ({image.runtime})
                </span>
              </label>
            );
          })}
        </div>
        {images.docker_problem && (
          <p className="jp-AtelierPicker-reason">
            Docker images are unavailable: {images.docker_problem}
          </p>
        )}
      </fieldset>
    </div>
  );
}

/** The picker as a dialog body: `getValue()` is the chosen pair. */
export class PickerBody extends ReactWidget {
  constructor(catalogs: ICatalogs, value: IInstanceChoice) {
    super();
    this._catalogs = catalogs;
    this._value = value;
    this.addClass('jp-AtelierPicker-body');
  }

  getValue(): IInstanceChoice {
    return this._value;
  }

  render(): JSX.Element {
    return (
      <PickerView
        catalogs={this._catalogs}
        value={this._value}
        onChange={value => {
          this._value = value;
        }}
      />
    );
  }

  private _catalogs: ICatalogs;
  private _value: IInstanceChoice;
}
