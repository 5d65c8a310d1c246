package dev.atelier.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One server with the default test configuration ({@link TestServer#start()}) for every test class
 * that takes a {@link TestServer} parameter under {@code @ExtendWith(SharedServer.class)}: started
 * on first use, kept in the root context's store and closed once, when the whole run ends.
 *
 * <p>A server's start (its kernels' environment, the embedded object store, the database, Vert.x)
 * costs more than most of the tests that use it. Sharing it is right for tests that create what
 * they look at and find it by its id or name. A test that needs its own settings, stops or restarts
 * the server, or asserts on everything the server holds (an empty kernel list, a list of exactly
 * one) starts its own with {@link TestServer#start(java.util.Map)} instead.
 */
public final class SharedServer implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedServer.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The root store outlives every class and closes what it holds (an AutoCloseable) at the end.
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(TestServer.class, key -> {
      try {
        return TestServer.start();
      } catch (Exception e) {
        throw new ParameterResolutionException("the shared test server did not start: " + e.getMessage(), e);
      }
    }, TestServer.class);
  }
}
