import {
  initialProcessingState,
  processingImageChange
} from '../processingForm';
import {
  IJobFormState,
  initialFormState,
  trainingHyperParametersChange,
  trainingImageChange,
  trainingModeChange,
  validateForm
} from '../trainingForm';

const NOW = new Date(2026, 4, 25, 16, 51, 55, 123);
const SKLEARN = 'atelier/sklearn:latest';

/** A fresh form once the catalog's default image is chosen. */
function chosen(image: string, touched: string[] = []): IJobFormState {
  const start = initialFormState({ instanceType: 'ml.m5.large', now: NOW });
  return {
    ...start,
    ...trainingImageChange(start, image, new Set(touched), NOW)
  };
}

describe('the training form follows its image', () => {
  it('runs the built-in algorithm of atelier/sklearn, with its algorithm and target', () => {
    const state = chosen(SKLEARN);
    expect(state.mode).toBe('algorithm');
    expect(state.hyperParameters).toEqual([
      { key: 'algorithm', value: 'random_forest_classifier' },
      { key: 'target', value: '' }
    ]);
    expect(state.metrics.map(m => m.key)).toEqual([
      'validation:accuracy',
      'train:accuracy'
    ]);
    expect(state.name).toBe('sklearn-2026-05-25-16-51-55-123');
  });

  it('goes back to script mode, without those rows, for an image without one', () => {
    const sklearn = chosen(SKLEARN);
    const other = {
      ...sklearn,
      ...trainingImageChange(
        sklearn,
        'atelier/datascience:latest',
        new Set(),
        NOW
      )
    };
    expect(other.mode).toBe('script');
    expect(other.hyperParameters).toEqual([]);
    expect(other.metrics).toEqual([]);
    expect(other.name).toBe('datascience-2026-05-25-16-51-55-123');
  });

  it('keeps what the user set: mode, rows, metrics and name', () => {
    const start = chosen(SKLEARN);
    const edited: IJobFormState = {
      ...start,
      mode: 'script',
      name: 'mine',
      hyperParameters: [{ key: 'epochs', value: '5' }],
      metrics: [{ key: 'loss', value: 'loss=([0-9.]+)' }]
    };
    const touched = new Set(['mode', 'hyperParameters', 'metrics', 'name']);
    const change = trainingImageChange(edited, SKLEARN, touched, NOW);
    expect({ ...edited, ...change }).toEqual({ ...edited, image: SKLEARN });
  });

  it('offers the rows in built-in mode only, unless they were edited', () => {
    const state = chosen(SKLEARN);
    expect(trainingModeChange(state, 'script', new Set())).toEqual({
      mode: 'script',
      hyperParameters: []
    });
    const script = { ...state, mode: 'script' as const, hyperParameters: [] };
    expect(
      trainingModeChange(script, 'algorithm', new Set()).hyperParameters
    ).toEqual(state.hyperParameters);
    expect(
      trainingModeChange(state, 'script', new Set(['hyperParameters']))
    ).toEqual({ mode: 'script' });
  });

  it("switches the metrics to a regressor's with the algorithm, unless they were edited", () => {
    const state = chosen(SKLEARN);
    const rows = [
      { key: 'algorithm', value: 'gradient_boosting_regressor' },
      { key: 'target', value: 'price' }
    ];
    const change = trainingHyperParametersChange(state, rows, new Set());
    expect(change.hyperParameters).toBe(rows);
    expect(change.metrics?.map(m => m.key)).toEqual([
      'validation:rmse',
      'train:rmse',
      'validation:r2'
    ]);
    expect(
      trainingHyperParametersChange(state, rows, new Set(['metrics']))
    ).toEqual({ hyperParameters: rows });
  });

  it("checks the built-in algorithm's values in built-in mode only", () => {
    const state = chosen(SKLEARN);
    const wrong = {
      ...state,
      outputPath: 's3://atelier/jobs/',
      hyperParameters: [{ key: 'algorithm', value: 'forest' }]
    };
    expect(validateForm(wrong)).toEqual({
      'HyperParameters.algorithm': 'algorithm forest is not one of the choices'
    });
    expect(
      validateForm({ ...wrong, mode: 'script', entryPoint: 'train.py' })
    ).toEqual({});
    expect(
      validateForm({ ...wrong, image: 'my/algo:1', mode: 'algorithm' })
    ).toEqual({});
  });
});

describe('the processing form follows its image', () => {
  it('names the job after the image chosen, unless the name was edited', () => {
    const start = initialProcessingState({ now: NOW });
    expect(
      processingImageChange('atelier/datascience:latest', new Set(), NOW)
    ).toEqual({
      image: 'atelier/datascience:latest',
      name: 'datascience-2026-05-25-16-51-55-123'
    });
    expect(start.name).toBe('processing-2026-05-25-16-51-55-123');
    expect(
      processingImageChange('atelier/base:latest', new Set(['name']), NOW)
    ).toEqual({ image: 'atelier/base:latest' });
  });
});
