package dev.atelier.kernels;

/** The server's version, from the jar manifest when packaged. */
public final class Version {
  public static final String VALUE = java.util.Objects.requireNonNullElse(
      Version.class.getPackage().getImplementationVersion(), "0.1.0-dev");

  private Version() {}
}
