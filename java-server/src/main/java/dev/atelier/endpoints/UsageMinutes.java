package dev.atelier.endpoints;

/**
 * One variant's instance usage per minute: the mean CPU and memory utilization of every sample
 * its instances gave in that minute, in a ring of one slot a minute (24 hours by default), so that
 * memory stays bounded. Minutes are counted since the epoch. Thread-safe.
 */
final class UsageMinutes {
  /** The means of one minute; memory is NaN when no sample said its share of a limit. */
  record Means(double cpuPercent, double memoryPercent) {}

  private final long[] minutes;
  private final double[] cpuSums;
  private final double[] memorySums;
  private final int[] counts;
  private final int[] memoryCounts;
  private long lastMinute = Long.MIN_VALUE;

  UsageMinutes(int retentionMinutes) {
    int n = Math.max(2, retentionMinutes);
    minutes = new long[n];
    java.util.Arrays.fill(minutes, Long.MIN_VALUE);
    cpuSums = new double[n];
    memorySums = new double[n];
    counts = new int[n];
    memoryCounts = new int[n];
  }

  /** One instance's sample in {@code minute}; {@code memoryPercent} NaN when not known. */
  synchronized void add(long minute, double cpuPercent, double memoryPercent) {
    int slot = slot(minute);
    if (minutes[slot] != minute) {
      minutes[slot] = minute;
      cpuSums[slot] = 0;
      memorySums[slot] = 0;
      counts[slot] = 0;
      memoryCounts[slot] = 0;
    }
    cpuSums[slot] += cpuPercent;
    counts[slot]++;
    if (!Double.isNaN(memoryPercent)) {
      memorySums[slot] += memoryPercent;
      memoryCounts[slot]++;
    }
    lastMinute = Math.max(lastMinute, minute);
  }

  /** The minute's means, or null when no instance gave a sample in it (or it is older than the ring). */
  synchronized Means mean(long minute) {
    int slot = slot(minute);
    if (minutes[slot] != minute || counts[slot] == 0) {
      return null;
    }
    return new Means(cpuSums[slot] / counts[slot],
        memoryCounts[slot] == 0 ? Double.NaN : memorySums[slot] / memoryCounts[slot]);
  }

  /** The last minute that had a sample. */
  synchronized long lastMinute() {
    return lastMinute;
  }

  private int slot(long minute) {
    return (int) Math.floorMod(minute, (long) minutes.length);
  }
}
