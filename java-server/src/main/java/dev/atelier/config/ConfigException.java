package dev.atelier.config;

/** A configuration value is missing or invalid; the message names the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
