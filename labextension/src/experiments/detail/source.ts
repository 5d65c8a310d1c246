import { SOURCE_NAME_TAG, SOURCE_TYPE_TAG } from '../tokens';

/** Where a run came from, as the run detail links to it. */
export type RunSource =
  | { kind: 'job'; jobKind: 'training' | 'processing'; name: string }
  | { kind: 'notebook'; path: string }
  | { kind: 'other'; type: string; name: string };

/**
 * A run's source from its tags: Atelier's `atelier.source.*` first, else
 * MLflow's own `mlflow.source.*` (a notebook path as MLflow's clients set it
 * is kept only when it is relative to the server's root).
 */
export function runSource(tags: Record<string, string>): RunSource | null {
  const type = tags[SOURCE_TYPE_TAG] ?? '';
  const name = tags[SOURCE_NAME_TAG] ?? '';
  if (type === 'TRAINING_JOB' && name) {
    return { kind: 'job', jobKind: 'training', name };
  }
  if (type === 'PROCESSING_JOB' && name) {
    return { kind: 'job', jobKind: 'processing', name };
  }
  if (type === 'NOTEBOOK' && name) {
    return { kind: 'notebook', path: name.replace(/^\/+/, '') };
  }
  const mlflowType = tags['mlflow.source.type'] ?? '';
  const mlflowName = tags['mlflow.source.name'] ?? '';
  if (mlflowType === 'NOTEBOOK' && mlflowName && !mlflowName.startsWith('/')) {
    return { kind: 'notebook', path: mlflowName };
  }
  if (type || mlflowType || mlflowName) {
    return {
      kind: 'other',
      type: type || mlflowType,
      name: name || mlflowName
    };
  }
  return null;
}
