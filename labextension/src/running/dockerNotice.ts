import { IDockerStatus } from './tokens';

/**
 * What the Running instances section says about Docker: why it is
 * unavailable and what that means, or null when Docker works (or the server
 * does not say).
 */
export function dockerNotice(
  status: IDockerStatus | null | undefined
): string | null {
  if (!status || status.available !== false) {
    return null;
  }
  const problem = (status.problem ?? '').trim().replace(/[.\s]+$/, '');
  const why = problem
    ? `Docker is unavailable: ${problem}.`
    : 'Docker is unavailable.';
  return `${why} Notebooks run in local processes.`;
}
