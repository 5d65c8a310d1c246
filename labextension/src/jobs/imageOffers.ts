import { IKeyValueRow } from './formRules';
import { IMetricDefinition, JobKind } from './tokens';

/**
 * What the job images offer, as `images/` builds them: `atelier/sklearn`
 * is made for training jobs (label `dev.atelier.job-kinds=training`) and
 * runs the built-in scikit-learn algorithm without a script
 * (`dev.atelier.builtin-algorithm=sklearn`, kernel-gateway's
 * `atelier/toolkit/sklearn_builtin.py`); the instance images
 * (`atelier/datascience`, `atelier/base`) run scripts, in training and
 * processing jobs alike. The images API does not carry those labels, so
 * images are told apart by their repository.
 */

/** A hyperparameter of a built-in algorithm, as the form offers it. */
export interface IHyperParameterSpec {
  name: string;
  /** What it means and what it takes, in words. */
  hint: string;
  /** The values it allows, when they are a list. */
  choices?: ReadonlyArray<string>;
  /** Values to pick from that are not the only ones allowed (the data's columns). */
  suggestions?: ReadonlyArray<string>;
  /** The value a new row starts with ("" for the algorithm's default). */
  initial: string;
  /** Offered as a row as soon as the built-in algorithm is chosen. */
  offered: boolean;
}

/** A built-in algorithm of an image: its hyperparameters and metrics. */
export interface IBuiltinAlgorithm {
  /** The image's `dev.atelier.builtin-algorithm`. */
  id: string;
  hyperParameters: ReadonlyArray<IHyperParameterSpec>;
  /** The metric definitions of what it prints for an `algorithm` value. */
  metricsFor(algorithm: string): IMetricDefinition[];
}

/** `atelier/sklearn_builtin.py`'s ALGORITHMS, in its order. */
export const SKLEARN_ALGORITHMS: ReadonlyArray<string> = [
  'random_forest_classifier',
  'random_forest_regressor',
  'extra_trees_classifier',
  'extra_trees_regressor',
  'gradient_boosting_classifier',
  'gradient_boosting_regressor',
  'hist_gradient_boosting_classifier',
  'hist_gradient_boosting_regressor',
  'decision_tree_classifier',
  'decision_tree_regressor',
  'logistic_regression',
  'linear_regression',
  'ridge',
  'lasso',
  'elastic_net',
  'svc',
  'svr',
  'kneighbors_classifier',
  'kneighbors_regressor',
  'gaussian_nb'
];

const SKLEARN_CLASSIFIERS = new Set(
  SKLEARN_ALGORITHMS.filter(
    a =>
      a.endsWith('_classifier') ||
      ['logistic_regression', 'svc', 'gaussian_nb'].includes(a)
  )
);

const metric = (name: string, signed = false): IMetricDefinition => ({
  Name: name,
  Regex: `${name}=(${signed ? '-?' : ''}[0-9\\.]+)`
});

/** What the scikit-learn algorithm prints: a classifier's, or a regressor's. */
export function sklearnMetrics(algorithm: string): IMetricDefinition[] {
  const name = algorithm.trim().toLowerCase() || 'random_forest_classifier';
  if (SKLEARN_CLASSIFIERS.has(name) || !SKLEARN_ALGORITHMS.includes(name)) {
    return [metric('validation:accuracy'), metric('train:accuracy')];
  }
  return [
    metric('validation:rmse'),
    metric('train:rmse'),
    metric('validation:r2', true)
  ];
}

/** The built-in scikit-learn algorithm of `atelier/sklearn`. */
export const SKLEARN_BUILTIN: IBuiltinAlgorithm = {
  id: 'sklearn',
  hyperParameters: [
    {
      name: 'algorithm',
      hint: 'The scikit-learn estimator; classifiers end in _classifier (and logistic_regression, svc, gaussian_nb), the others are regressors',
      choices: SKLEARN_ALGORITHMS,
      initial: 'random_forest_classifier',
      offered: true
    },
    {
      name: 'target',
      hint: "The label's column: its name when the CSV files have a header row, else its 0-based index; empty for the first column",
      initial: '',
      offered: true
    },
    {
      name: 'header',
      hint: 'Whether the CSV files start with a header row; auto decides from the first rows',
      choices: ['auto', 'true', 'false'],
      initial: 'auto',
      offered: false
    },
    {
      name: 'validation_fraction',
      hint: 'The share of the rows held out for validation without a validation channel (0 to below 1)',
      initial: '0.2',
      offered: false
    },
    {
      name: 'seed',
      hint: 'The seed of that split and of the estimator (a whole number)',
      initial: '0',
      offered: false
    }
  ],
  metricsFor: sklearnMetrics
};

/** An image's repository: `atelier/sklearn` for `atelier/sklearn:latest`. */
export function imageRepository(image: string): string {
  return image
    .trim()
    .split('@')[0]
    .replace(/:[^/:]*$/, '');
}

/** True when the image is `repository` (in any registry). */
function isAtelierImage(image: string, name: string): boolean {
  const repository = imageRepository(image);
  return repository === name || repository.endsWith(`/${name}`);
}

/** The image's built-in algorithm, or null when it runs scripts only. */
export function builtinAlgorithmOf(image: string): IBuiltinAlgorithm | null {
  return isAtelierImage(image, 'atelier/sklearn') ? SKLEARN_BUILTIN : null;
}

/** The kinds of jobs an image is made for. */
export function imageJobKinds(image: string): JobKind[] {
  return isAtelierImage(image, 'atelier/sklearn')
    ? ['training']
    : ['training', 'processing'];
}

/** The images a kind's form picks first, best first. */
const PREFERRED: Record<JobKind, ReadonlyArray<string>> = {
  training: ['atelier/sklearn', 'atelier/datascience', 'atelier/base'],
  processing: ['atelier/datascience', 'atelier/base']
};

/**
 * The image a new job of a kind starts with: the built-in algorithm's for
 * training, the data science image for processing; else the first image
 * made for the kind, else the first one.
 */
export function preferredImage(
  images: ReadonlyArray<{ name: string }>,
  kind: JobKind
): string {
  for (const name of PREFERRED[kind]) {
    const found = images.find(i => isAtelierImage(i.name, name));
    if (found) {
      return found.name;
    }
  }
  const made = images.find(i => imageJobKinds(i.name).includes(kind));
  return (made ?? images[0])?.name ?? '';
}

/**
 * The columns of a CSV file's first line, as `target` takes them: their
 * names when it is a header row (a cell that is not a number), else their
 * 0-based indexes. Empty when there is no line.
 */
export function csvColumns(text: string): string[] {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (!line.trim()) {
    return [];
  }
  const cells = line
    .split(',')
    .map(cell => cell.trim().replace(/^"(.*)"$/, '$1'));
  const header = cells.some(cell => cell !== '' && isNaN(Number(cell)));
  return header ? cells : cells.map((_, i) => String(i));
}

/** The algorithm's hyperparameters, `target` suggesting the data's columns. */
export function withColumns(
  algorithm: IBuiltinAlgorithm,
  columns: ReadonlyArray<string>
): ReadonlyArray<IHyperParameterSpec> {
  return algorithm.hyperParameters.map(h =>
    h.name === 'target' && columns.length ? { ...h, suggestions: columns } : h
  );
}

/** The rows a built-in algorithm offers from the start. */
export function offeredRows(algorithm: IBuiltinAlgorithm): IKeyValueRow[] {
  return algorithm.hyperParameters
    .filter(h => h.offered)
    .map(h => ({ key: h.name, value: h.initial }));
}

/** The spec of a row's hyperparameter, when the algorithm knows it. */
export function hyperParameterSpec(
  algorithm: IBuiltinAlgorithm | null,
  key: string
): IHyperParameterSpec | undefined {
  return algorithm?.hyperParameters.find(h => h.name === key.trim());
}

/**
 * The errors of the built-in algorithm's own hyperparameters, at the paths
 * `validateRows` uses (`HyperParameters.<name>`): a value outside its
 * choices, a fraction outside [0, 1), a seed that is not a whole number.
 */
export function builtinHyperParameterErrors(
  rows: ReadonlyArray<IKeyValueRow>,
  algorithm: IBuiltinAlgorithm,
  errors: Record<string, string>
): void {
  for (const row of rows) {
    const spec = hyperParameterSpec(algorithm, row.key);
    const value = row.value.trim();
    const path = `HyperParameters.${row.key.trim()}`;
    if (!spec || !value || errors[path]) {
      continue;
    }
    if (spec.choices && !spec.choices.includes(value.toLowerCase())) {
      errors[path] = `${spec.name} ${value} is not one of the choices`;
    } else if (spec.name === 'validation_fraction') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || n >= 1) {
        errors[path] = 'validation_fraction is a number from 0 to below 1';
      }
    } else if (spec.name === 'seed' && !/^-?\d+$/.test(value)) {
      errors[path] = 'seed is a whole number';
    }
  }
}
