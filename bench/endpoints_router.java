// The invocation router alone, for bench/endpoints.py: Atelier's InvocationRoutes on a Vert.x server
// with one endpoint ("bench", InService, one variant "AllTraffic") whose instances are the given
// ports, as the endpoints service would route them. Run with Java's source launcher:
//
//   java -cp java-server/target/atelier-server.jar bench/endpoints_router.java PORT MODEL_PORT...
//
// It prints "listening PORT" once it serves, and runs until it is killed.

import dev.atelier.endpoints.router.InvocationRoutes;
import dev.atelier.endpoints.router.Routes;
import dev.atelier.endpoints.router.VariantMetrics;
import dev.atelier.http.FailureHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;

public class endpoints_router {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    List<Routes.Instance> instances = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      instances.add(new Routes.Instance("i-" + i, Integer.parseInt(args[i])));
    }
    Routes.Route route = new Routes.Route("bench", "InService",
        List.of(new Routes.Variant("AllTraffic", 1, List.copyOf(instances))));
    Vertx vertx = Vertx.vertx();
    InvocationRoutes invocations = new InvocationRoutes(vertx, name -> name.equals("bench") ? route : null,
        new VariantMetrics());
    Router router = Router.router(vertx);
    invocations.mountRoot(router);
    router.route().failureHandler(new FailureHandler());
    // As AtelierServer configures its listener.
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
        .setCompressionSupported(true);
    vertx.createHttpServer(options).requestHandler(router).listen()
        .toCompletionStage().toCompletableFuture().get();
    System.out.println("listening " + port);
    System.out.flush();
  }
}
