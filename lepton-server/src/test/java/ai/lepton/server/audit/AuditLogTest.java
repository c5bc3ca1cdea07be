package ai.lepton.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The audit log on H2 and PostgreSQL: chaining, concurrency, transactions, tampering, queries. */
class AuditLogTest {
  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  /** A clock the test moves by hand. */
  static final class TestClock extends Clock {
    private Instant now = Instant.parse("2026-12-02T08:00:00.123456789Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final TestClock clock = new TestClock();

  private static AuditEntry entry(String org, String actor, String action, Outcome outcome) {
    return new AuditEntry(org, actor, action, "dataset", "ds-1", "203.0.113.7", outcome,
        Map.of("name", "census 2026", "bytes", "1024"));
  }

  private static AuditEvent append(Database db, AuditLog audit, AuditEntry entry) {
    return db.jdbi().inTransaction(h -> audit.append(h, entry));
  }

  /** Ten events in organization "o", a minute apart. */
  private List<AuditEvent> tenEvents(Database db, AuditLog audit) {
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      events.add(append(db, audit, entry("o", "user-" + i, "dataset.upload", Outcome.SUCCESS)));
      clock.advance(Duration.ofMinutes(1));
    }
    return events;
  }

  private static void sql(Database db, String sql, Object... args) {
    db.jdbi().useHandle(h -> {
      var update = h.createUpdate(sql);
      for (int i = 0; i < args.length; i++) {
        update.bind(i, args[i]);
      }
      update.execute();
    });
  }

  private static void assertBad(AuditVerification v, long sequence, String problem) {
    assertFalse(v.intact(), v.toString());
    assertEquals(sequence, v.firstBadSequence(), v.toString());
    assertTrue(v.problem().contains(problem), v.problem());
  }

  @ParameterizedTest
  @MethodSource("databases")
  void appendsNumberedEventsEachChainedToTheOneBefore(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      List<AuditEvent> events = tenEvents(db, audit);
      assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(),
          events.stream().map(AuditEvent::sequence).toList());
      assertEquals("0".repeat(64), events.get(0).previousHash());
      for (int i = 1; i < events.size(); i++) {
        assertEquals(events.get(i - 1).hash(), events.get(i).previousHash());
      }
      assertEquals(Instant.parse("2026-12-02T08:00:00.123456Z"), events.get(0).time());

      // Read back exactly as appended, newest first.
      List<AuditEvent> listed = new ArrayList<>(audit.list("o", AuditQuery.latest(100)).events());
      java.util.Collections.reverse(listed);
      assertEquals(events, listed);

      AuditVerification v = audit.verify("o");
      assertEquals(new AuditVerification("o", true, 10, 10, events.get(9).hash(), null, null), v);
      assertEquals(new AuditVerification("empty", true, 0, 0, "0".repeat(64), null, null),
          audit.verify("empty"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void sixteenThreadsAppendingAtOnceMakeOneUnbrokenChainPerOrganization(TestDatabases.Named kind)
      throws Exception {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, Clock.systemUTC());
      int threads = 16;
      int each = 12;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String actor = "user-" + t;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            // Two organizations, so chains are also independent of each other.
            append(db, audit, entry(i % 3 == 0 ? "beta" : "alpha", actor, "model.deploy",
                Outcome.SUCCESS));
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      int beta = threads * 4;
      int alpha = threads * each - beta;
      AuditVerification a = audit.verify("alpha");
      assertTrue(a.intact(), a.toString());
      assertEquals(alpha, a.lastSequence());
      assertEquals(alpha, a.eventsChecked());
      assertTrue(audit.verify("beta").intact());
      assertEquals(beta, audit.verify("beta").lastSequence());
      List<Long> sequences = db.jdbi().withHandle(h -> h.createQuery("SELECT sequence_number"
              + " FROM audit_event WHERE organization_id = 'alpha' ORDER BY sequence_number")
          .mapTo(Long.class).list());
      assertEquals(LongStream.rangeClosed(1, alpha).boxed().toList(), sequences);
    }
  }

  /**
   * Group commits move the head from where the last group left it, without reading it; appends
   * inside other transactions (and other servers, like the second log here) move it meanwhile.
   * Every append still succeeds, once, in one unbroken chain.
   */
  @ParameterizedTest
  @MethodSource("databases")
  void groupCommitsAndAppendsInsideTransactionsInterleavedMakeOneChain(TestDatabases.Named kind)
      throws Exception {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, Clock.systemUTC());
      AuditLog otherServer = new AuditLog(db, Clock.systemUTC());
      int threads = 12;
      int each = 15;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<AuditEvent>>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int kindOfCaller = t % 3;
        String actor = "user-" + t;
        done.add(pool.submit(() -> {
          go.await();
          List<AuditEvent> recorded = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            AuditEntry e = entry("alpha", actor, "dataset.download", Outcome.SUCCESS);
            recorded.add(switch (kindOfCaller) {
              case 0 -> audit.appendCommitted(e);
              case 1 -> otherServer.appendCommitted(e);
              default -> append(db, audit, e);
            });
          }
          return recorded;
        }));
      }
      go.countDown();
      List<AuditEvent> returned = new ArrayList<>();
      for (Future<List<AuditEvent>> f : done) {
        returned.addAll(f.get());
      }
      pool.shutdown();
      int total = threads * each;
      AuditVerification v = audit.verify("alpha");
      assertTrue(v.intact(), v.toString());
      assertEquals(total, v.lastSequence());
      assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), returned.stream()
          .map(AuditEvent::sequence).sorted().toList(), "each caller got its own number");
      List<AuditEvent> stored = audit.list("alpha", AuditQuery.latest(1000)).events();
      assertTrue(stored.containsAll(returned));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void eventsCommittedTogetherMakeOneUnbrokenChainAndAFailingOneFailsOnlyItsCaller(
      TestDatabases.Named kind) throws Exception {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, Clock.systemUTC());
      // The database refuses one actor's events, as it would a full disk: their callers fail.
      sql(db, "ALTER TABLE audit_event ADD CONSTRAINT refuse_mallory CHECK (actor <> 'mallory')");
      int threads = 16;
      int each = 12;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<AuditEvent>>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String actor = t % 4 == 0 ? "mallory" : "user-" + t;
        done.add(pool.submit(() -> {
          go.await();
          List<AuditEvent> recorded = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            AuditEntry e = entry(i % 3 == 0 ? "beta" : "alpha", actor, "dataset.download",
                Outcome.SUCCESS);
            if (actor.equals("mallory")) {
              assertThrows(RuntimeException.class, () -> audit.appendCommitted(e));
            } else {
              recorded.add(audit.appendCommitted(e));
            }
          }
          return recorded;
        }));
      }
      go.countDown();
      List<AuditEvent> returned = new ArrayList<>();
      for (Future<List<AuditEvent>> f : done) {
        returned.addAll(f.get());
      }
      pool.shutdown();
      int honest = threads - threads / 4;
      int beta = honest * 4;
      int alpha = honest * each - beta;
      // Every event returned was committed, as returned, and nothing else was.
      List<AuditEvent> stored = new ArrayList<>(audit.list("alpha", AuditQuery.latest(1000))
          .events());
      stored.addAll(audit.list("beta", AuditQuery.latest(1000)).events());
      assertEquals(returned.size(), stored.size());
      assertTrue(stored.containsAll(returned));
      assertTrue(stored.stream().noneMatch(e -> e.actor().equals("mallory")));
      AuditVerification a = audit.verify("alpha");
      assertTrue(a.intact(), a.toString());
      assertEquals(alpha, a.lastSequence());
      AuditVerification b = audit.verify("beta");
      assertTrue(b.intact(), b.toString());
      assertEquals(beta, b.lastSequence());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anAppendWhoseTransactionRollsBackLeavesNoEventAndNoGap(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      append(db, audit, entry("o", "u", "dataset.upload", Outcome.SUCCESS));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> db.jdbi().useTransaction(h -> {
            audit.append(h, entry("o", "u", "dataset.delete", Outcome.SUCCESS));
            throw new IllegalStateException("the action failed after its event was appended");
          }));
      assertTrue(e.getMessage().contains("the action failed"));
      AuditEvent next = append(db, audit, entry("o", "u", "dataset.upload", Outcome.SUCCESS));
      assertEquals(2, next.sequence());
      assertEquals(List.of("dataset.upload", "dataset.upload"), audit.list("o",
          AuditQuery.latest(10)).events().stream().map(AuditEvent::action).toList());
      assertTrue(audit.verify("o").intact());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anActionWhoseEventCannotBeRecordedDoesNotHappen(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> db.jdbi().useTransaction(h -> {
            h.execute("INSERT INTO node_setting (setting_name, setting_value) VALUES (?, ?)",
                "the-action", "done");
            audit.append(h, new AuditEntry("o", "u", "setting.change", null, null, null,
                Outcome.SUCCESS, Map.of("value", "x".repeat(AuditEntry.MAX_DETAIL_VALUE + 1))));
          }));
      assertTrue(e.getMessage().contains("detail value must be at most 1024 characters"),
          e.getMessage());
      int actions = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM node_setting"
          + " WHERE setting_name = 'the-action'").mapTo(Integer.class).one());
      assertEquals(0, actions);
      assertEquals(List.of(), audit.list("o", AuditQuery.latest(10)).events());

      // Outside a transaction there is nothing to fail closed with: refused.
      try (Handle h = db.jdbi().open()) {
        IllegalStateException outside = assertThrows(IllegalStateException.class,
            () -> audit.append(h, entry("o", "u", "dataset.upload", Outcome.SUCCESS)));
        assertTrue(outside.getMessage().contains("inside the action's transaction"));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void verifyNamesAChangedEvent(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      tenEvents(db, audit);
      sql(db, "UPDATE audit_event SET actor = 'mallory' WHERE sequence_number = 5");
      sql(db, "UPDATE audit_event SET outcome = 'DENIED' WHERE sequence_number = 8");
      assertBad(audit.verify("o"), 5, "event 5 was changed: its fields do not match its hash");

      sql(db, "UPDATE audit_event SET actor = 'user-5' WHERE sequence_number = 5");
      assertBad(audit.verify("o"), 8, "event 8 was changed");
      sql(db, "UPDATE audit_event SET outcome = 'SUCCESS' WHERE sequence_number = 8");
      assertTrue(audit.verify("o").intact());

      sql(db, "UPDATE audit_event SET details = '{\"name\":\"census 2026\",\"bytes\":\"1\"}'"
          + " WHERE sequence_number = 3");
      assertBad(audit.verify("o"), 3, "event 3 was changed");
      sql(db, "UPDATE audit_event SET details = 'not json' WHERE sequence_number = 3");
      assertBad(audit.verify("o"), 3, "event 3 was changed");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void verifyNamesAnEventChangedWithItsHashRecomputed(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      List<AuditEvent> events = tenEvents(db, audit);
      AuditEvent e = events.get(4);
      String forged = AuditHash.of("o", 5, e.time(), "mallory", e.action(), e.resourceType(),
          e.resourceId(), e.clientAddress(), e.outcome().name(), e.details(), e.previousHash());
      sql(db, "UPDATE audit_event SET actor = 'mallory', event_hash = ? WHERE sequence_number"
          + " = 5", forged);
      assertBad(audit.verify("o"), 5, "event 5 was changed and its hash rewritten");

      // The same on the last event is caught by the chain head.
      AuditEvent last = events.get(9);
      String forgedLast = AuditHash.of("o", 10, last.time(), "mallory", last.action(),
          last.resourceType(), last.resourceId(), last.clientAddress(), last.outcome().name(),
          last.details(), last.previousHash());
      sql(db, "UPDATE audit_event SET event_hash = ? WHERE sequence_number = 5", e.hash());
      sql(db, "UPDATE audit_event SET actor = 'user-5' WHERE sequence_number = 5");
      sql(db, "UPDATE audit_event SET actor = 'mallory', event_hash = ? WHERE sequence_number"
          + " = 10", forgedLast);
      assertBad(audit.verify("o"), 10, "event 10 was changed and its hash rewritten");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void verifyNamesARemovedEvent(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      tenEvents(db, audit);
      sql(db, "DELETE FROM audit_event WHERE sequence_number = 10");
      assertBad(audit.verify("o"), 10, "event 10 was removed from the end of the log");
      sql(db, "DELETE FROM audit_event WHERE sequence_number IN (4, 5)");
      assertBad(audit.verify("o"), 4, "events 4 to 5 were removed");
      sql(db, "DELETE FROM audit_event WHERE sequence_number = 1");
      assertBad(audit.verify("o"), 1, "event 1 was removed");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void verifyNamesAnInsertedEvent(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      List<AuditEvent> events = tenEvents(db, audit);
      // A forged event correctly chained after the last one, without moving the chain head.
      AuditEvent last = events.get(9);
      insertForged(db, 11, last.time(), last.hash());
      assertBad(audit.verify("o"), 11, "event 11 was inserted after the last event the log"
          + " recorded (10)");
      sql(db, "DELETE FROM audit_event WHERE sequence_number = 11");
      assertTrue(audit.verify("o").intact());

      // A forged event chained after event 4, the later events moved up to make room.
      sql(db, "UPDATE audit_event SET sequence_number = sequence_number + 1000"
          + " WHERE sequence_number >= 5");
      sql(db, "UPDATE audit_event SET sequence_number = sequence_number - 999"
          + " WHERE sequence_number > 1000");
      insertForged(db, 5, events.get(3).time(), events.get(3).hash());
      assertBad(audit.verify("o"), 5, "an event was inserted at 5: the event recorded as 5 now"
          + " sits at 6");
    }
  }

  private static void insertForged(Database db, long sequence, Instant time, String previous) {
    Map<String, String> details = Map.of("name", "forged");
    String hash = AuditHash.of("o", sequence, time, "mallory", "dataset.delete", "dataset",
        "ds-1", null, "SUCCESS", details, previous);
    sql(db, "INSERT INTO audit_event (organization_id, sequence_number, occurred_at, actor,"
        + " action, resource_type, resource_id, client_address, outcome, details, event_hash,"
        + " previous_hash) VALUES ('o', ?, ?, 'mallory', 'dataset.delete', 'dataset', 'ds-1',"
        + " NULL, 'SUCCESS', '{\"name\":\"forged\"}', ?, ?)", sequence,
        OffsetDateTime.ofInstant(time, ZoneOffset.UTC), hash, previous);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void verifyNamesTheFirstOfTwoSwappedEvents(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      tenEvents(db, audit);
      sql(db, "UPDATE audit_event SET sequence_number = -1 WHERE sequence_number = 3");
      sql(db, "UPDATE audit_event SET sequence_number = 3 WHERE sequence_number = 7");
      sql(db, "UPDATE audit_event SET sequence_number = 7 WHERE sequence_number = -1");
      assertBad(audit.verify("o"), 3, "event 3 is out of place: it was recorded as event 7");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void tamperingWithOneOrganizationsLogDoesNotAffectAnother(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      tenEvents(db, audit);
      append(db, audit, entry("other", "u", "dataset.upload", Outcome.SUCCESS));
      sql(db, "DELETE FROM audit_event WHERE organization_id = 'o' AND sequence_number = 2");
      assertFalse(audit.verify("o").intact());
      assertTrue(audit.verify("other").intact());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void listsOneOrganizationsEventsFilteredAndPagedNewestFirst(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      AuditLog audit = new AuditLog(db, clock);
      Instant start = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
      for (int i = 1; i <= 7; i++) {
        append(db, audit, entry("o", i % 2 == 0 ? "ann" : "bob",
            i <= 4 ? "dataset.upload" : "model.deploy", i == 6 ? Outcome.DENIED
                : Outcome.SUCCESS));
        clock.advance(Duration.ofHours(1));
      }
      append(db, audit, entry("someone-else", "ann", "dataset.upload", Outcome.SUCCESS));

      AuditPage first = audit.list("o", AuditQuery.latest(3));
      assertEquals(List.of(7L, 6L, 5L), sequences(first));
      assertEquals(5L, first.nextBefore());
      AuditPage second = audit.list("o", AuditQuery.latest(3).before(first.nextBefore()));
      assertEquals(List.of(4L, 3L, 2L), sequences(second));
      AuditPage third = audit.list("o", AuditQuery.latest(3).before(second.nextBefore()));
      assertEquals(List.of(1L), sequences(third));
      assertNull(third.nextBefore());

      assertEquals(List.of(6L, 4L, 2L), sequences(audit.list("o",
          new AuditQuery("ann", null, null, null, null, null, null, null, 10))));
      assertEquals(List.of(4L, 3L, 2L, 1L), sequences(audit.list("o",
          new AuditQuery(null, "dataset.upload", null, null, null, null, null, null, 10))));
      assertEquals(List.of(6L), sequences(audit.list("o",
          new AuditQuery(null, null, null, null, Outcome.DENIED, null, null, null, 10))));
      assertEquals(List.of(3L, 2L), sequences(audit.list("o", new AuditQuery(null, null,
          "dataset", "ds-1", null, start.plus(Duration.ofHours(1)), // from inclusive, to not
          start.plus(Duration.ofHours(3)), null, 10))));
      assertEquals(List.of(), sequences(audit.list("o",
          new AuditQuery(null, null, "model", null, null, null, null, null, 10))));
      assertEquals(List.of(1L), sequences(audit.list("someone-else", AuditQuery.latest(10))));
    }
  }

  private static List<Long> sequences(AuditPage page) {
    return page.events().stream().map(AuditEvent::sequence).toList();
  }
}
