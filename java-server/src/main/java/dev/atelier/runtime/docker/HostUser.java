package dev.atelier.runtime.docker;

import com.sun.security.auth.module.UnixSystem;

/** The server's own user, as containers are run: what they write on the host belongs to it. */
final class HostUser {
  private HostUser() {}

  /** {@code uid:gid} of the server's user. */
  static String uidGid() {
    UnixSystem user = new UnixSystem();
    return user.getUid() + ":" + user.getGid();
  }
}
