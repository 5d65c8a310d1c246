/// <reference types="node" />
// Node, to read the toolkit the image runs (kernel-gateway/).
import * as fs from 'fs';
import * as path from 'path';

import {
  SKLEARN_ALGORITHMS,
  SKLEARN_BUILTIN,
  builtinAlgorithmOf,
  builtinHyperParameterErrors,
  csvColumns,
  imageJobKinds,
  offeredRows,
  preferredImage,
  sklearnMetrics,
  withColumns
} from '../imageOffers';

const IMAGES = [
  { name: 'atelier/base:latest' },
  { name: 'atelier/datascience:latest' },
  { name: 'atelier/sklearn:latest' }
];

describe('what images offer', () => {
  it('knows the built-in algorithm of atelier/sklearn only', () => {
    expect(builtinAlgorithmOf('atelier/sklearn:latest')?.id).toBe('sklearn');
    expect(builtinAlgorithmOf('registry.local/atelier/sklearn:1')?.id).toBe(
      'sklearn'
    );
    expect(builtinAlgorithmOf('atelier/datascience:latest')).toBeNull();
    expect(builtinAlgorithmOf('my/sklearn:latest')).toBeNull();
    expect(imageJobKinds('atelier/sklearn:latest')).toEqual(['training']);
    expect(imageJobKinds('atelier/base:latest')).toEqual([
      'training',
      'processing'
    ]);
  });

  it('starts a training job on the built-in algorithm, a processing job on the data science image', () => {
    expect(preferredImage(IMAGES, 'training')).toBe('atelier/sklearn:latest');
    expect(preferredImage(IMAGES, 'processing')).toBe(
      'atelier/datascience:latest'
    );
    const noDatascience = IMAGES.filter(i => !i.name.includes('datascience'));
    expect(preferredImage(noDatascience, 'processing')).toBe(
      'atelier/base:latest'
    );
    // Never the training-only image for processing while another is there.
    expect(
      preferredImage(
        [{ name: 'atelier/sklearn:latest' }, { name: 'my/prep:2' }],
        'processing'
      )
    ).toBe('my/prep:2');
    expect(preferredImage([{ name: 'my/own:1' }], 'training')).toBe('my/own:1');
    expect(preferredImage([], 'processing')).toBe('');
  });

  it('offers algorithm and target, with the algorithms the toolkit knows', () => {
    expect(offeredRows(SKLEARN_BUILTIN)).toEqual([
      { key: 'algorithm', value: 'random_forest_classifier' },
      { key: 'target', value: '' }
    ]);
    // The list the image's toolkit checks against (kernel-gateway).
    const toolkit = fs.readFileSync(
      path.join(
        __dirname,
        '../../../../kernel-gateway/atelier/toolkit/sklearn_builtin.py'
      ),
      'utf-8'
    );
    const block = /^ALGORITHMS = \{([\s\S]*?)^\}/m.exec(toolkit)?.[1] ?? '';
    const names = [...block.matchAll(/^\s*"([a-z_]+)":/gm)].map(m => m[1]);
    expect(names.length).toBeGreaterThan(0);
    expect([...SKLEARN_ALGORITHMS]).toEqual(names);
    expect(toolkit).toContain('DEFAULT_ALGORITHM = "random_forest_classifier"');
  });

  it("prints a classifier's or a regressor's metrics", () => {
    expect(sklearnMetrics('').map(m => m.Name)).toEqual([
      'validation:accuracy',
      'train:accuracy'
    ]);
    expect(sklearnMetrics('svc').map(m => m.Name)).toEqual([
      'validation:accuracy',
      'train:accuracy'
    ]);
    const regressor = sklearnMetrics('ridge');
    expect(regressor.map(m => m.Name)).toEqual([
      'validation:rmse',
      'train:rmse',
      'validation:r2'
    ]);
    expect(
      new RegExp(regressor[2].Regex).exec('validation:r2=-0.25;')?.[1]
    ).toBe('-0.25');
    expect(
      new RegExp(regressor[0].Regex).exec('validation:rmse=1.500000;')?.[1]
    ).toBe('1.500000');
  });

  it("suggests the data's columns as target, names or indexes", () => {
    expect(csvColumns('species,"sepal length",x2\n1,2,3\n')).toEqual([
      'species',
      'sepal length',
      'x2'
    ]);
    expect(csvColumns('1,5.1,3.5\r\n0,4.9,3.0')).toEqual(['0', '1', '2']);
    expect(csvColumns('\n')).toEqual([]);
    const specs = withColumns(SKLEARN_BUILTIN, ['species', 'x1']);
    expect(specs.find(h => h.name === 'target')?.suggestions).toEqual([
      'species',
      'x1'
    ]);
    expect(specs.find(h => h.name === 'algorithm')).toBe(
      SKLEARN_BUILTIN.hyperParameters[0]
    );
    // Suggestions, not rules: another column (or an index) is not refused.
    const errors: Record<string, string> = {};
    builtinHyperParameterErrors(
      [{ key: 'target', value: '3' }],
      { ...SKLEARN_BUILTIN, hyperParameters: specs },
      errors
    );
    expect(errors).toEqual({});
    expect(withColumns(SKLEARN_BUILTIN, [])).toEqual(
      SKLEARN_BUILTIN.hyperParameters
    );
  });

  it('checks the values of its own hyperparameters', () => {
    const errors: Record<string, string> = {};
    builtinHyperParameterErrors(
      [
        { key: 'algorithm', value: 'random_forest' },
        { key: 'header', value: 'yes' },
        { key: 'validation_fraction', value: '1' },
        { key: 'seed', value: '1.5' },
        { key: 'target', value: 'label' },
        { key: 'n_estimators', value: 'many' }
      ],
      SKLEARN_BUILTIN,
      errors
    );
    expect(errors).toEqual({
      'HyperParameters.algorithm':
        'algorithm random_forest is not one of the choices',
      'HyperParameters.header': 'header yes is not one of the choices',
      'HyperParameters.validation_fraction':
        'validation_fraction is a number from 0 to below 1',
      'HyperParameters.seed': 'seed is a whole number'
    });
    const fine: Record<string, string> = {};
    builtinHyperParameterErrors(
      [
        { key: 'algorithm', value: 'Ridge' },
        { key: 'header', value: 'true' },
        { key: 'validation_fraction', value: '0' },
        { key: 'seed', value: '-3' },
        { key: 'target', value: '' }
      ],
      SKLEARN_BUILTIN,
      fine
    );
    expect(fine).toEqual({});
  });
});
