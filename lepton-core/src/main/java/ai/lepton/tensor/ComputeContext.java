package ai.lepton.tensor;

import ai.lepton.LeptonException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where tensor ops run: a backend (the Vector API one or the plain-loop reference) and the threads
 * it may use. Each training run or serving pool can have its own, so that two trainings in one JVM
 * each keep to their own thread budget:
 *
 * <pre>{@code
 * try (ComputeContext training = ComputeContext.vector(4);
 *     ComputeContext.Scope scope = training.enter()) {
 *   model.fit(x, y, Fit.epochs(10)); // every op of this thread runs on training's 4 threads
 * }
 * }</pre>
 *
 * <p>{@link #enter()} makes a context current for the calling thread until the returned scope is
 * closed (scopes nest; close them in reverse order, which try-with-resources does). A scope belongs
 * to its thread: threads started inside it do not inherit it (a thread pool created lazily inside a
 * scope would otherwise keep the context for its whole life), so work handed to another thread
 * enters the context there; a {@code Dataset}'s prefetch thread does this for the context it was
 * iterated in. Outside every scope, ops run on {@link #defaultContext()}.
 *
 * <p>Results do not depend on the context's thread count, the machine's load or how far the JIT
 * has compiled: the same model, input and seed give the same bits with 1 thread or 16. They do
 * depend on the backend, and for the Vector API backend on the processor's vector width (AVX2 and
 * AVX-512 add the lanes of some sums in different groupings).
 *
 * <p>{@link #close()} stops the context's threads. Entering a closed context, or running an op in a
 * scope whose context was closed, throws {@link LeptonException}; close a
 * context only after the work that uses it is done.
 */
public final class ComputeContext implements AutoCloseable {
  /**
   * The most threads one context may use. Every thread but the caller is started at once, so a
   * mistaken count (2^31-1) must be refused rather than exhaust the process's threads.
   */
  public static final int MAX_THREADS = 1024;

  private static final ThreadLocal<ComputeContext> CURRENT = new ThreadLocal<>();
  /** The innermost open scope of each thread. */
  private static final ThreadLocal<Scope> INNERMOST = new ThreadLocal<>();
  private static final AtomicInteger IDS = new AtomicInteger();
  private static volatile ComputeContext defaultContext;

  private final String name;
  private final int threads;
  private final Backend backend;
  /** The vector backend's workers; null for the reference. */
  private final WorkerPool pool;
  private final boolean isDefault;
  private volatile boolean closed;

  private ComputeContext(String name, int threads, Backend backend, WorkerPool pool,
      boolean isDefault) {
    this.name = name;
    this.threads = threads;
    this.backend = backend;
    this.pool = pool;
    this.isDefault = isDefault;
  }

  /**
   * A context on the Vector API backend with {@code threads} threads: the thread that calls an op
   * and {@code threads - 1} workers started now.
   *
   * @throws LeptonException if {@code threads} is not from 1 to {@link #MAX_THREADS}, or if
   *     {@code jdk.incubator.vector} is not present (run java with
   *     {@code --add-modules jdk.incubator.vector}, or use {@link #reference()})
   */
  public static ComputeContext vector(int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new LeptonException("ComputeContext.vector: threads must be from 1 to " + MAX_THREADS
          + ". Received: " + threads + "; pass how many threads this context may use, e.g. 1 per "
          + "serving thread");
    }
    if (!vectorModulePresent()) {
      throw new LeptonException("ComputeContext.vector: jdk.incubator.vector is not present; run "
          + "java with --add-modules jdk.incubator.vector, or use ComputeContext.reference()");
    }
    return withVectorBackend("lepton-ctx" + IDS.incrementAndGet(), threads, false);
  }

  /** A context on the single-threaded plain-loop reference backend (slow; for checking results). */
  public static ComputeContext reference() {
    return new ComputeContext("lepton-ctx" + IDS.incrementAndGet(), 1, new ReferenceBackend(),
        null, false);
  }

  /**
   * The context ops run on outside every scope, shared by the whole process and never closed: the
   * Vector API backend on all processors when {@code jdk.incubator.vector} is present, otherwise
   * the reference backend with a one-line notice. The system properties
   * {@code lepton.backend=reference} (force the reference) and {@code lepton.threads=N} (use N
   * threads) are read once, when it is first needed.
   *
   * @throws LeptonException if {@code lepton.threads} is set but not a positive integer
   */
  public static ComputeContext defaultContext() {
    ComputeContext c = defaultContext;
    if (c == null) {
      synchronized (ComputeContext.class) {
        if (defaultContext == null) {
          defaultContext = createDefault();
        }
        c = defaultContext;
      }
    }
    return c;
  }

  /** The calling thread's context: that of its innermost open scope, or the default. */
  public static ComputeContext current() {
    ComputeContext c = CURRENT.get();
    return c != null ? c : defaultContext();
  }

  /**
   * Makes this context current for the calling thread until the returned scope is closed.
   *
   * @throws LeptonException if this context is closed
   */
  public Scope enter() {
    checkOpen();
    Scope scope = new Scope(this, CURRENT.get(), INNERMOST.get());
    CURRENT.set(this);
    INNERMOST.set(scope);
    return scope;
  }

  /** The number of threads this context's ops may use (1 for the reference backend). */
  public int threads() {
    return threads;
  }

  /** The backend's name, e.g. {@code "vector(256-bit, 4 threads)"} or {@code "reference"}. */
  public String backendName() {
    return backend.name();
  }

  /**
   * Stops this context's worker threads and waits for them to exit; closing twice does nothing.
   * Ops still running finish on their calling threads.
   *
   * @throws LeptonException for the {@link #defaultContext()}, which the whole process shares
   */
  @Override
  public void close() {
    if (isDefault) {
      throw new LeptonException("the default ComputeContext is shared by the whole process and "
          + "cannot be closed; close only the contexts made with ComputeContext.vector(..) or "
          + "ComputeContext.reference()");
    }
    closed = true;
    if (pool != null) {
      pool.close();
    }
  }

  @Override
  public String toString() {
    return "ComputeContext[" + name + ", " + backend.name() + (closed ? ", closed]" : "]");
  }

  /** This context's backend, for the ops of {@link Tensor} and {@link Recurrence}. */
  Backend backend() {
    checkOpen();
    return backend;
  }

  /** The prefix of this context's worker thread names ({@code name + "-worker-" + i}). */
  String name() {
    return name;
  }

  private void checkOpen() {
    if (closed) {
      throw new LeptonException("this " + this + " was closed and its threads stopped; close a "
          + "context only after the work in its scopes (and threads started there) is done, or "
          + "enter an open one");
    }
  }

  /**
   * A context on a new {@link VectorBackend} with {@code threads - 1} workers, loaded by name so
   * that no class touching the incubator module loads when it is absent.
   *
   * @throws LeptonException if the backend fails to start
   */
  private static ComputeContext withVectorBackend(String name, int threads, boolean isDefault) {
    WorkerPool pool = new WorkerPool(threads - 1, name);
    try {
      Backend backend = (Backend) Class.forName("ai.lepton.tensor.VectorBackend")
          .getDeclaredConstructor(WorkerPool.class).newInstance(pool);
      return new ComputeContext(name, threads, backend, pool, isDefault);
    } catch (ReflectiveOperationException | LinkageError e) {
      pool.close();
      throw new LeptonException("the Vector API backend failed to start (" + e + "); use "
          + "ComputeContext.reference(), or report this with your JDK version", e);
    }
  }

  private static ComputeContext createDefault() {
    if ("reference".equals(System.getProperty("lepton.backend"))) {
      return new ComputeContext("lepton", 1, new ReferenceBackend(), null, true);
    }
    if (!vectorModulePresent()) {
      System.err.println("Lepton: jdk.incubator.vector is not present, using the slow reference "
          + "backend; run java with --add-modules jdk.incubator.vector for the fast one.");
      return new ComputeContext("lepton", 1, new ReferenceBackend(), null, true);
    }
    int threads = configuredThreads();
    try {
      return withVectorBackend("lepton", threads, true);
    } catch (LeptonException e) {
      System.err.println("Lepton: " + e.getMessage() + "; using the slow reference backend.");
      return new ComputeContext("lepton", 1, new ReferenceBackend(), null, true);
    }
  }

  /** All processors, or {@code -Dlepton.threads=N} (e.g. to pin a benchmark or share a machine). */
  private static int configuredThreads() {
    int available = Runtime.getRuntime().availableProcessors();
    String configured = System.getProperty("lepton.threads");
    if (configured == null) {
      return available;
    }
    try {
      int n = Integer.parseInt(configured.trim());
      if (n >= 1 && n <= MAX_THREADS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new LeptonException("lepton.threads must be an integer from 1 to " + MAX_THREADS
        + ". Received: '"
        + configured + "'; leave it unset to use all " + available + " processors");
  }

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * A thread's use of a context, from {@link ComputeContext#enter()} until {@link #close()}, which
   * makes the previous context current again.
   */
  public static final class Scope implements AutoCloseable {
    private final ComputeContext context;
    private final ComputeContext previous; // null: the default
    private final Scope outer;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private Scope(ComputeContext context, ComputeContext previous, Scope outer) {
      this.context = context;
      this.previous = previous;
      this.outer = outer;
    }

    /** The context this scope made current. */
    public ComputeContext context() {
      return context;
    }

    /**
     * Leaves the scope; closing it again does nothing. It does not close the context.
     *
     * @throws LeptonException if called on another thread than the one that entered, or while a
     *     scope entered later on this thread is still open
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (Thread.currentThread() != owner) {
        throw new LeptonException("a ComputeContext scope must be closed by the thread that "
            + "entered it (" + owner.getName() + "), not by " + Thread.currentThread().getName()
            + "; use try-with-resources around the work on that thread");
      }
      if (INNERMOST.get() != this) {
        throw new LeptonException("this scope of " + context + " was closed while a scope entered "
            + "after it on the same thread is still open; close scopes in reverse order, e.g. "
            + "with try-with-resources");
      }
      closed = true;
      CURRENT.set(previous);
      INNERMOST.set(outer);
    }
  }
}
