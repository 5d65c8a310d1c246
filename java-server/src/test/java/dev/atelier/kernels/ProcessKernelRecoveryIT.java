package dev.atelier.kernels;

import java.util.Map;

/** Kernel death and recovery on the process runtime (image {@code local}). */
class ProcessKernelRecoveryIT extends KernelRecoveryContract {
  @Override
  protected Map<String, String> runtimeConfig() {
    return Map.of();
  }

  @Override
  protected String runtime() {
    return "process";
  }
}
