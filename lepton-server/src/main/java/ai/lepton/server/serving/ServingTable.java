package ai.lepton.server.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;

/**
 * What each deployment serves right now: a primary version and, during a canary, a second one
 * with its percentage of the requests. Each change swaps a deployment's route at once, and only
 * between servables already loaded, so no request waits for a load or fails during a rollout; a
 * version no longer routed to is retired after the swap (its batcher answers what it holds, and a
 * request that found it just before still gets its answer). The deployments (the service that
 * keeps them in the database) drive it; the inference routes read it as their {@link Servables}.
 */
public final class ServingTable implements Servables, AutoCloseable {
  /** One deployment's route; {@code canary} null when there is none. */
  private record Route(Servable primary, Servable canary, int canaryPercent) {
    List<Servable> servables() {
      return canary == null ? List.of(primary) : List.of(primary, canary);
    }
  }

  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final IntSupplier draw;

  public ServingTable() {
    this(() -> ThreadLocalRandom.current().nextInt(100));
  }

  /** @param draw a number from 0 to 99 per request without a version: below the canary's share,
   *     the canary answers (tests count through them) */
  ServingTable(IntSupplier draw) {
    this.draw = draw;
  }

  @Override
  public Optional<Servable> find(String organizationId, String model, String version) {
    Route r = routes.get(key(organizationId, model));
    if (r == null) {
      return Optional.empty();
    }
    if (version == null) {
      return Optional.of(r.canary() != null && draw.getAsInt() < r.canaryPercent() ? r.canary()
          : r.primary());
    }
    return r.servables().stream().filter(s -> s.version().equals(version)).findFirst();
  }

  /** Serves {@code servable} (loaded) as the deployment's one version, retiring what it served. */
  public void deploy(String organizationId, String name, Servable servable) {
    swap(organizationId, name, r -> new Route(servable, null, 0));
  }

  /**
   * Sends {@code percent} of the deployment's requests without a version to {@code canary}
   * (loaded), retiring a canary it replaces.
   *
   * @throws IllegalArgumentException for a percentage outside 0-100
   * @throws IllegalStateException when nothing is deployed under that name
   */
  public void canary(String organizationId, String name, Servable canary, int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("a canary takes 0 to 100 percent of the requests; "
          + "received " + percent);
    }
    swap(organizationId, name, r -> new Route(existing(r, name).primary(), canary, percent));
  }

  /**
   * Gives the deployment's canary {@code percent} of the requests without a version.
   *
   * @throws IllegalArgumentException for a percentage outside 0-100
   * @throws IllegalStateException when the deployment has no canary
   */
  public void split(String organizationId, String name, int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("a canary takes 0 to 100 percent of the requests; "
          + "received " + percent);
    }
    swap(organizationId, name, r -> {
      Route current = existing(r, name);
      if (current.canary() == null) {
        throw new IllegalStateException("deployment '" + name + "' has no canary");
      }
      return new Route(current.primary(), current.canary(), percent);
    });
  }

  /** The canary becomes the only version; the primary is retired. */
  public void promote(String organizationId, String name) {
    swap(organizationId, name, r -> {
      Route current = existing(r, name);
      if (current.canary() == null) {
        throw new IllegalStateException("deployment '" + name + "' has no canary to promote");
      }
      return new Route(current.canary(), null, 0);
    });
  }

  /** Back to the primary alone, at once; the canary is retired. */
  public void rollback(String organizationId, String name) {
    swap(organizationId, name, r -> new Route(existing(r, name).primary(), null, 0));
  }

  /** Stops serving the deployment and retires its versions. */
  public void remove(String organizationId, String name) {
    swap(organizationId, name, r -> null);
  }

  /** Retires every version of every deployment. */
  @Override
  public void close() {
    for (String key : List.copyOf(routes.keySet())) {
      Route r = routes.remove(key);
      if (r != null) {
        r.servables().forEach(Servable::close);
      }
    }
  }

  private void swap(String organizationId, String name, UnaryOperator<Route> change) {
    List<Servable> retired = new ArrayList<>();
    routes.compute(key(organizationId, name), (k, old) -> {
      Route next = change.apply(old);
      if (old != null) {
        retired.clear();
        for (Servable s : old.servables()) {
          if (next == null || !next.servables().contains(s)) {
            retired.add(s);
          }
        }
      }
      return next;
    });
    retired.forEach(Servable::close); // after the swap: new requests no longer find them
  }

  private static Route existing(Route r, String name) {
    if (r == null) {
      throw new IllegalStateException("nothing is deployed as '" + name + "'");
    }
    return r;
  }

  private static String key(String organizationId, String name) {
    return organizationId + "\n" + name;
  }
}
