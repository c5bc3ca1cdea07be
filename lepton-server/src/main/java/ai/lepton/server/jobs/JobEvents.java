package ai.lepton.server.jobs;

import ai.lepton.api.JobEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live events of the jobs that run in this process, handed to whoever listens (an SSE stream,
 * a test). Listeners run on the training thread and must not block; one that throws is logged and
 * dropped, training goes on.
 */
final class JobEvents {
  private static final Logger LOG = LoggerFactory.getLogger(JobEvents.class);
  private final Map<String, List<Consumer<JobEvent>>> listeners = new ConcurrentHashMap<>();

  /** A listener's registration; closing it stops the events. */
  interface Listening extends AutoCloseable {
    @Override
    void close();
  }

  /** Listens to the job's events until the returned handle is closed. */
  Listening listen(String jobId, Consumer<JobEvent> listener) {
    listeners.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(listener);
    return () -> listeners.computeIfPresent(jobId, (id, list) -> {
      list.remove(listener);
      return list.isEmpty() ? null : list;
    });
  }

  void publish(JobEvent event) {
    for (Consumer<JobEvent> l : listeners.getOrDefault(event.jobId(), List.of())) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("a listener of job {} failed and is dropped", event.jobId(), e);
        listeners.computeIfPresent(event.jobId(), (id, list) -> {
          list.remove(l);
          return list.isEmpty() ? null : list;
        });
      }
    }
  }
}
