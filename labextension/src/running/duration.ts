/**
 * A duration for uptime and countdowns: "45 s", "3 min 05 s", "1 h 02 min",
 * "2 d 03 h". Negative or unknown durations read "0 s".
 */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (total < 60) {
    return `${total} s`;
  }
  const minutes = Math.floor(total / 60);
  if (minutes < 60) {
    return `${minutes} min ${pad(total % 60)} s`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ${pad(minutes % 60)} min`;
  }
  return `${Math.floor(hours / 24)} d ${pad(hours % 24)} h`;
}
