import {
  IImageInfo,
  IImagesResponse,
  IInstanceType,
  IInstanceTypesResponse
} from './tokens';
import { IKernelRow } from '../running/tokens';
import { formatPrice, formatSpec } from '../running/instanceFormat';

/** The notebook metadata key SageMaker uses for the instance type. */
export const INSTANCE_TYPE_KEY = 'instance_type';

/** Atelier's notebook metadata namespace; `image` is one of its keys. */
export const ATELIER_KEY = 'atelier';

/** An instance type and an image: where a notebook's kernel runs. */
export interface IInstanceChoice {
  instanceType: string;
  image: string;
}

/** Where the shown choice comes from. */
export type ChoiceSource = 'kernel' | 'notebook' | 'default';

/** The choice shown in the toolbar, and where it comes from. */
export interface IShownChoice extends IInstanceChoice {
  source: ChoiceSource;
}

/** The two catalogs the picker offers. */
export interface ICatalogs {
  types: IInstanceTypesResponse;
  images: IImagesResponse;
}

/** What a notebook's saved metadata asks for (null where unset). */
export interface IMetadataChoice {
  instanceType: string | null;
  image: string | null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/**
 * Read the choice from notebook metadata values: `instance_type` and
 * `atelier.image`.
 */
export function readMetadata(
  instanceType: unknown,
  atelier: unknown
): IMetadataChoice {
  const image =
    atelier && typeof atelier === 'object'
      ? nonEmpty((atelier as Record<string, unknown>).image)
      : null;
  return { instanceType: nonEmpty(instanceType), image };
}

/** The `atelier` metadata object with `image` set, other keys kept. */
export function withImage(atelier: unknown, image: string): object {
  const base =
    atelier && typeof atelier === 'object' && !Array.isArray(atelier)
      ? (atelier as Record<string, unknown>)
      : {};
  return { ...base, image };
}

/**
 * What the notebook runs on: the kernel's instance once the server reports
 * it; while the kernel starts (or without one), what the saved metadata
 * asks for, else the server's defaults.
 */
export function shownChoice(
  kernel: IKernelRow | undefined,
  metadata: IMetadataChoice,
  catalogs: ICatalogs | null
): IShownChoice | null {
  if (kernel && kernel.instanceType) {
    return {
      instanceType: kernel.instanceType,
      image: kernel.image ?? metadata.image ?? catalogs?.images.default ?? '',
      source: 'kernel'
    };
  }
  const instanceType = metadata.instanceType ?? catalogs?.types.default;
  const image = metadata.image ?? catalogs?.images.default;
  if (!instanceType || !image) {
    return null;
  }
  const source: ChoiceSource =
    metadata.instanceType || metadata.image ? 'notebook' : 'default';
  return { instanceType, image, source };
}

/** Find a type of the catalog by name. */
export function findType(
  catalogs: ICatalogs | null,
  name: string
): IInstanceType | undefined {
  return catalogs?.types.instance_types.find(type => type.name === name);
}

/** Find an image of the catalog by name. */
export function findImage(
  catalogs: ICatalogs | null,
  name: string
): IImageInfo | undefined {
  return catalogs?.images.images.find(image => image.name === name);
}

/**
 * The toolbar text: "ml.t3.medium · 2 vCPU · 4 GiB · local" (the size is
 * left out while the catalog is unknown or lacks the type).
 */
export function choiceLabel(
  choice: IInstanceChoice,
  catalogs: ICatalogs | null
): string {
  const type = findType(catalogs, choice.instanceType);
  const parts = [choice.instanceType];
  if (type) {
    parts.push(formatSpec(type.vcpus, type.memory_bytes));
  }
  parts.push(choice.image);
  return parts.join(' · ');
}

/** A line of the type picker: "2 vCPU · 8 GiB · $0.115/h", GPUs if any. */
export function typeDetails(type: IInstanceType): string {
  const parts = [formatSpec(type.vcpus, type.memory_bytes)];
  if (type.gpus > 0) {
    parts.push(type.gpus === 1 ? '1 GPU' : `${type.gpus} GPUs`);
  }
  parts.push(formatPrice(type.price_per_hour));
  return parts.join(' · ');
}

/** Whether two choices differ. */
export function isDifferent(a: IInstanceChoice, b: IInstanceChoice): boolean {
  return a.instanceType !== b.instanceType || a.image !== b.image;
}

/** The confirmation's text before moving a notebook's kernel. */
export function changeConfirmText(
  path: string,
  from: IInstanceChoice,
  to: IInstanceChoice
): string {
  const what =
    from.instanceType === to.instanceType
      ? `the ${to.image} image`
      : from.image === to.image
        ? `an ${to.instanceType} instance`
        : `an ${to.instanceType} instance with the ${to.image} image`;
  return (
    `The kernel of ${path} restarts on ${what}. ` +
    'Its state (variables, imported modules) is lost. ' +
    'The notebook is saved first, so it runs there when it is reopened.'
  );
}

/** Why a type cannot be chosen, or null when it can. */
export function unavailableText(type: IInstanceType): string | null {
  if (type.available) {
    return null;
  }
  return type.unavailable_reason || 'Not available on this server.';
}

/** The kernelspec a new notebook on an image starts with: the image's first, else python3. */
export function kernelFor(catalogs: ICatalogs, image: string): string {
  return findImage(catalogs, image)?.kernelspecs[0] ?? 'python3';
}

/** The content of an empty notebook that asks for an instance type and image. */
export function notebookOn(
  choice: IInstanceChoice,
  kernel: string
): Record<string, unknown> {
  return {
    cells: [],
    metadata: {
      [INSTANCE_TYPE_KEY]: choice.instanceType,
      [ATELIER_KEY]: { image: choice.image },
      kernelspec: { name: kernel, display_name: kernel, language: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}
