package ai.lepton.server.audit;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import ai.lepton.server.db.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.Query;

/**
 * The tamper-evident audit log: per organization, events numbered from 1 and hash-chained (see
 * {@link AuditEvent}). Features {@link #append} inside the transaction of the action they record,
 * so the action and its event commit together or not at all: an action whose event cannot be
 * recorded does not happen. An event that is an action by itself (an audited read) goes through
 * {@link #appendCommitted}, which commits concurrent ones together. Appends of one organization
 * queue on its chain head row (tables {@code audit_chain} and {@code audit_event}), so concurrent
 * appends, from any number of servers, never fork the chain.
 */
public final class AuditLog {
  /** The actor of actions the platform takes by itself. */
  public static final String SYSTEM = "system";
  /**
   * The log of the installation itself, beside one per organization: what is not inside one
   * organization (users) and the organizations' creation and deletion, so that a deleted
   * organization's end stays readable. No organization id looks like it ({@code org_...}).
   */
  public static final String INSTALLATION = "installation";
  // How far from its place verify looks for the number an out-of-place event was recorded under.
  private static final int MOVED_WINDOW = 64;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "sequence_number, occurred_at, organization_id, actor,"
      + " action, resource_type, resource_id, client_address, outcome, details, event_hash,"
      + " previous_hash";

  /** The most events one group commit appends in its transaction. */
  static final int MAX_GROUP = 256;

  private final Jdbi jdbi;
  private final Clock clock;
  private final Map<String, Group> groups = new ConcurrentHashMap<>();
  /**
   * Each organization's chain head as the last group commit here left it: the next group checks
   * it in its UPDATE of the head instead of first reading (and locking) the head. Only a hint:
   * when another transaction moved the head since, the UPDATE changes no row and the group reads
   * the head as usual; the key (organization, number) refuses a second event under one number
   * whatever the race.
   */
  private final Map<String, Head> heads = new ConcurrentHashMap<>();

  public AuditLog(Database database, Clock clock) {
    this.jdbi = database.jdbi();
    this.clock = clock;
  }

  /**
   * Appends an event to its organization's chain, inside the caller's transaction: {@code
   * jdbi.inTransaction(h -> { doTheAction(h); audit.append(h, entry); ... })}. If the transaction
   * rolls back, the event goes too, and the next one takes its number (no gap). Holds the
   * organization's chain lock until the transaction ends: keep the action's transaction short.
   *
   * @return the event as recorded, with its number and hashes
   * @throws IllegalStateException if {@code handle} is not in a transaction
   */
  public AuditEvent append(Handle handle, AuditEntry entry) {
    heads.remove(entry.organizationId()); // this transaction moves the head
    return appendAll(handle, List.of(entry), null).get(0);
  }

  /**
   * Appends an event that is an action by itself (an audited read, a refusal) in a transaction of
   * its own, committed before this returns: answer the request only afterwards, and an event
   * that cannot be recorded fails the request (fail-closed). Concurrent calls for one
   * organization share transactions (group commit): while one transaction commits, the events
   * that arrive queue, and the next caller to take the organization's turn appends all of them
   * in one transaction; every caller returns once the transaction holding its event committed,
   * woken by the caller that committed it.
   * The chain is the same as with one transaction each, at the cost of one commit and one chain
   * lock per group instead of per event.
   *
   * @return the event as recorded
   * @throws RuntimeException what the database threw for this event's transaction; an event
   *     that fails in a group is tried again alone, so one bad event fails only its own caller
   */
  public AuditEvent appendCommitted(AuditEntry entry) {
    Group group = groups.computeIfAbsent(entry.organizationId(), org -> new Group());
    Waiting me = new Waiting(entry, Thread.currentThread());
    group.queue.add(me);
    while (!me.done) {
      if (group.committing.compareAndSet(false, true)) {
        try {
          // this event, and every one queued before the turn was taken
          List<Waiting> batch = new ArrayList<>();
          for (Waiting w; batch.size() < MAX_GROUP && (w = group.queue.poll()) != null; ) {
            batch.add(w);
          }
          if (!batch.isEmpty()) { // empty when the commit before took this event too
            commit(batch);
          }
        } finally {
          group.committing.set(false);
        }
        // Whoever queued while this transaction ran waits for a turn: wake the first of them
        // (one that queued after this peek found the turn free when it tried).
        Waiting next = group.queue.peek();
        if (next != null) {
          LockSupport.unpark(next.thread);
        }
      } else {
        LockSupport.park(group); // until a commit holding this event, or a free turn, wakes it
      }
    }
    if (me.failure != null) {
      throw me.failure;
    }
    return me.event;
  }

  /**
   * Appends {@code batch} in one transaction (if it fails, each event alone), then wakes each
   * waiting caller with its event or its failure.
   */
  private void commit(List<Waiting> batch) {
    String org = batch.get(0).entry.organizationId();
    try {
      Head known = heads.get(org);
      List<AuditEvent> events = jdbi.inTransaction(h -> appendAll(h,
          batch.stream().map(w -> w.entry).toList(), known));
      AuditEvent last = events.get(events.size() - 1);
      heads.put(org, new Head(last.sequence(), last.hash()));
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).finish(events.get(i), null);
      }
    } catch (RuntimeException e) {
      heads.remove(org); // the next try reads the head
      if (batch.size() == 1) {
        batch.get(0).finish(null, e);
        return;
      }
      for (Waiting w : batch) {
        commit(List.of(w));
      }
    } catch (Error e) {
      for (Waiting w : batch) {
        if (!w.done) {
          w.finish(null, new IllegalStateException("the audit event was not recorded: its"
              + " transaction failed with " + e, e));
        }
      }
      throw e;
    }
  }

  /** The events of one organization that wait for a commit, and whether one is under way. */
  private static final class Group {
    final AtomicBoolean committing = new AtomicBoolean();
    final Queue<Waiting> queue = new ConcurrentLinkedQueue<>();
  }

  /** A caller waiting for its event: {@code done} is written last, so it publishes the rest. */
  private static final class Waiting {
    final AuditEntry entry;
    final Thread thread;
    volatile boolean done;
    AuditEvent event;
    RuntimeException failure;

    Waiting(AuditEntry entry, Thread thread) {
      this.entry = entry;
      this.thread = thread;
    }

    void finish(AuditEvent recorded, RuntimeException failed) {
      event = recorded;
      failure = failed;
      done = true;
      LockSupport.unpark(thread);
    }
  }

  /**
   * Appends entries of one organization in order, taking its chain head once. Plain JDBC on the
   * handle's connection: this runs once per audited request, and JDBI's per-statement work
   * (configuration copies, argument lookup, statement context) cost more than H2's own.
   */
  private List<AuditEvent> appendAll(Handle handle, List<AuditEntry> entries, Head known) {
    if (!handle.isInTransaction()) {
      throw new IllegalStateException("append audit events inside the action's transaction"
          + " (jdbi.inTransaction(h -> ...)), so that both commit or neither does");
    }
    String org = entries.get(0).organizationId();
    for (AuditEntry entry : entries) {
      if (!entry.organizationId().equals(org)) {
        throw new IllegalArgumentException("appendAll takes the entries of one organization");
      }
    }
    Connection connection = handle.getConnection();
    try {
      if (known != null) {
        List<AuditEvent> events = chain(entries, known);
        if (moveHead(connection, org, known, events)) {
          insert(connection, events);
          return events;
        }
      }
      Head head = lockHead(connection, org);
      if (head == null) {
        // The first event of an organization makes its chain head; racing makers insert it once.
        try (PreparedStatement genesis = connection.prepareStatement("INSERT INTO audit_chain"
            + " (organization_id, last_sequence, last_hash) VALUES (?, 0, ?)"
            + " ON CONFLICT DO NOTHING")) {
          genesis.setString(1, org);
          genesis.setString(2, AuditHash.GENESIS);
          genesis.executeUpdate();
        }
        head = lockHead(connection, org);
        if (head == null) {
          throw new IllegalStateException("the audit chain head of organization " + org
              + " is missing right after it was made: check the audit_chain table");
        }
      }
      List<AuditEvent> events = chain(entries, head);
      insert(connection, events);
      moveHead(connection, org, null, events);
      return events;
    } catch (SQLException e) {
      throw new IllegalStateException("the audit events of organization " + org + " could not"
          + " be recorded, so their actions did not happen: " + e.getMessage(), e);
    }
  }

  /** The events of {@code entries}, numbered and hashed after {@code head}. */
  private List<AuditEvent> chain(List<AuditEntry> entries, Head head) {
    List<AuditEvent> events = new ArrayList<>(entries.size());
    long sequence = head.sequence();
    String previous = head.hash();
    for (AuditEntry e : entries) {
      sequence++;
      Instant time = clock.instant().truncatedTo(ChronoUnit.MICROS);
      String hash = AuditHash.of(e.organizationId(), sequence, time, e.actor(), e.action(),
          e.resourceType(), e.resourceId(), e.clientAddress(), e.outcome().name(), e.details(),
          previous);
      events.add(new AuditEvent(sequence, time, e.organizationId(), e.actor(), e.action(),
          e.resourceType(), e.resourceId(), e.clientAddress(), e.outcome(), e.details(), hash,
          previous));
      previous = hash;
    }
    return events;
  }

  /** Inserts {@code events} with one prepared statement. */
  private static void insert(Connection connection, List<AuditEvent> events)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_event ("
        + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (AuditEvent e : events) {
        insert.setLong(1, e.sequence());
        insert.setObject(2, OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC));
        insert.setString(3, e.organizationId());
        insert.setString(4, e.actor());
        insert.setString(5, e.action());
        insert.setString(6, e.resourceType());
        insert.setString(7, e.resourceId());
        insert.setString(8, e.clientAddress());
        insert.setString(9, e.outcome().name());
        insert.setString(10, json(e.details()));
        insert.setString(11, e.hash());
        insert.setString(12, e.previousHash());
        if (events.size() > 1) {
          insert.addBatch();
        }
      }
      if (events.size() > 1) {
        insert.executeBatch();
      } else {
        insert.executeUpdate();
      }
    }
  }

  /**
   * Sets the head to the last of {@code events}: if {@code expected} is not null, only where
   * the head is still {@code expected} (answering whether it was).
   */
  private static boolean moveHead(Connection connection, String org, Head expected,
      List<AuditEvent> events) throws SQLException {
    AuditEvent last = events.get(events.size() - 1);
    try (PreparedStatement update = connection.prepareStatement("UPDATE audit_chain"
        + " SET last_sequence = ?, last_hash = ? WHERE organization_id = ?"
        + (expected == null ? "" : " AND last_sequence = ? AND last_hash = ?"))) {
      update.setLong(1, last.sequence());
      update.setString(2, last.hash());
      update.setString(3, org);
      if (expected != null) {
        update.setLong(4, expected.sequence());
        update.setString(5, expected.hash());
      }
      return update.executeUpdate() == 1;
    }
  }

  /** The organization's chain head, locked until the transaction ends; null before its first. */
  private static Head lockHead(Connection connection, String org) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT last_sequence, last_hash"
        + " FROM audit_chain WHERE organization_id = ? FOR UPDATE")) {
      select.setString(1, org);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : null;
      }
    }
  }

  /**
   * The organization's events matching {@code query}, newest first, one page at a time: pass the
   * page's {@code nextBefore} as the next query's {@code before}. For {@code GET
   * /api/v1/orgs/{org}/audit}.
   */
  public AuditPage list(String organizationId, AuditQuery query) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
        + " FROM audit_event WHERE organization_id = :org");
    Map<String, Object> binds = new LinkedHashMap<>();
    binds.put("org", organizationId);
    filter(sql, binds, "actor", "actor = :actor", query.actor());
    filter(sql, binds, "action", "action = :action", query.action());
    filter(sql, binds, "resourceType", "resource_type = :resourceType", query.resourceType());
    filter(sql, binds, "resourceId", "resource_id = :resourceId", query.resourceId());
    filter(sql, binds, "outcome", "outcome = :outcome",
        query.outcome() == null ? null : query.outcome().name());
    filter(sql, binds, "from", "occurred_at >= :from", query.from() == null ? null
        : OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
    filter(sql, binds, "to", "occurred_at < :to", query.to() == null ? null
        : OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
    filter(sql, binds, "before", "sequence_number < :before", query.before());
    sql.append(" ORDER BY sequence_number DESC LIMIT :limit");
    binds.put("limit", query.limit() + 1);
    List<AuditEvent> events = jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString());
      binds.forEach(q::bind);
      return q.map((rs, ctx) -> stored(rs).toEvent()).list();
    });
    if (events.size() <= query.limit()) {
      return new AuditPage(events, null);
    }
    List<AuditEvent> page = events.subList(0, query.limit());
    return new AuditPage(page, page.get(page.size() - 1).sequence());
  }

  /**
   * Checks the organization's whole chain: every event's hash against its fields, every link to
   * the event before, the numbering, and the chain head. Reads the events as a stream, and does
   * not block appends (events appended while it runs are checked too, or left for the next run).
   * For {@code GET /api/v1/orgs/{org}/audit/verify}.
   *
   * @return intact, or the first event changed, removed or inserted, and what is wrong
   */
  public AuditVerification verify(String organizationId) {
    return jdbi.inTransaction(h -> {
      Head start = head(h, organizationId);
      Verifier verifier = new Verifier(organizationId, start);
      try (ResultIterator<Stored> events = h.createQuery("SELECT " + COLUMNS
              + " FROM audit_event WHERE organization_id = :org ORDER BY sequence_number")
          .bind("org", organizationId)
          .setFetchSize(500)
          .map((rs, ctx) -> stored(rs))
          .iterator()) {
        while (events.hasNext()) {
          if (!verifier.accept(events.next())) {
            return verifier.result();
          }
        }
      }
      return verifier.finish(head(h, organizationId));
    });
  }

  private record Head(long sequence, String hash) {}

  private static Head head(Handle h, String organizationId) {
    return h.createQuery("SELECT last_sequence, last_hash FROM audit_chain"
            + " WHERE organization_id = :org")
        .bind("org", organizationId)
        .map((rs, ctx) -> new Head(rs.getLong(1), rs.getString(2)))
        .findOne().orElse(new Head(0, AuditHash.GENESIS));
  }

  /**
   * Walks the events in order. The chain head is read before the walk ({@code start}) and after
   * it ({@code end}): appends only move it forward, so every event up to {@code start} must be
   * there, and no event may lie beyond {@code end}.
   */
  private static final class Verifier {
    private final String organizationId;
    private final Head start;
    private long checked;
    private long last;
    private String lastHash = AuditHash.GENESIS;
    private String hashAtStart;
    private AuditVerification failure;

    Verifier(String organizationId, Head start) {
      this.organizationId = organizationId;
      this.start = start;
    }

    /** False once an event is bad; {@link #result} then says which. */
    boolean accept(Stored e) {
      checked++;
      long expected = last + 1;
      if (e.sequence() > expected) {
        return fail(expected, (e.sequence() - 1 > expected ? "events " + expected + " to "
            + (e.sequence() - 1) + " were" : "event " + expected + " was") + " removed: the log"
            + " goes from event " + last + " to event " + e.sequence());
      }
      if (e.details() == null || !hashOf(e, e.sequence()).equals(e.hash())) {
        long recordedAs = recordedSequence(e);
        if (recordedAs < 0) {
          return fail(e.sequence(), "event " + e.sequence() + " was changed: its fields do not"
              + " match its hash");
        }
        if (recordedAs < e.sequence()) {
          return fail(recordedAs, "an event was inserted at " + recordedAs + ": the event"
              + " recorded as " + recordedAs + " now sits at " + e.sequence());
        }
        return fail(e.sequence(), "event " + e.sequence() + " is out of place: it was recorded"
            + " as event " + recordedAs + " (events were reordered, or removed and the rest"
            + " renumbered)");
      }
      if (!e.previousHash().equals(lastHash)) {
        return fail(Math.max(1, e.sequence() - 1), e.sequence() == 1
            ? "event 1 was changed: it does not start the chain"
            : "event " + (e.sequence() - 1) + " was changed and its hash rewritten: event "
                + e.sequence() + " does not link to it");
      }
      last = e.sequence();
      lastHash = e.hash();
      if (last == start.sequence()) {
        hashAtStart = e.hash();
      }
      return true;
    }

    AuditVerification finish(Head end) {
      if (last < start.sequence()) {
        return failed(last + 1, (start.sequence() > last + 1 ? "events " + (last + 1) + " to "
            + start.sequence() + " were" : "event " + start.sequence() + " was")
            + " removed from the end of the log");
      }
      if (last > end.sequence()) {
        return failed(end.sequence() + 1, "event " + (end.sequence() + 1) + " was inserted"
            + " after the last event the log recorded (" + end.sequence() + ")");
      }
      if (start.sequence() > 0 && !start.hash().equals(hashAtStart)) {
        return failed(start.sequence(), "event " + start.sequence() + " was changed and its"
            + " hash rewritten: it does not match the chain head");
      }
      return new AuditVerification(organizationId, true, checked, last, lastHash, null, null);
    }

    AuditVerification result() {
      return failure;
    }

    private boolean fail(long sequence, String problem) {
      failure = failed(sequence, problem);
      return false;
    }

    private AuditVerification failed(long sequence, String problem) {
      return new AuditVerification(organizationId, false, checked, last, lastHash, sequence,
          problem);
    }

    // The number an event was hashed under, when it is not its own: near its place, or -1.
    private static long recordedSequence(Stored e) {
      if (e.details() == null) {
        return -1;
      }
      for (long s = Math.max(1, e.sequence() - MOVED_WINDOW); s <= e.sequence() + MOVED_WINDOW;
          s++) {
        if (s != e.sequence() && hashOf(e, s).equals(e.hash())) {
          return s;
        }
      }
      return -1;
    }

    private static String hashOf(Stored e, long sequence) {
      return AuditHash.of(e.organizationId(), sequence, e.time(), e.actor(), e.action(),
          e.resourceType(), e.resourceId(), e.clientAddress(), e.outcome(), e.details(),
          e.previousHash());
    }
  }

  private static void filter(StringBuilder sql, Map<String, Object> binds, String name,
      String condition, Object value) {
    if (value != null) {
      sql.append(" AND ").append(condition);
      binds.put(name, value);
    }
  }

  /**
   * An event as its row holds it: the outcome as text and the details parsed (null when they are
   * not a JSON object of strings), so that verify hashes exactly what is stored.
   */
  private record Stored(long sequence, Instant time, String organizationId, String actor,
      String action, String resourceType, String resourceId, String clientAddress,
      String outcome, Map<String, String> details, String hash, String previousHash) {
    AuditEvent toEvent() {
      Outcome known;
      try {
        known = Outcome.valueOf(outcome);
      } catch (IllegalArgumentException e) {
        known = Outcome.FAILED; // written by hand into the table; verify reports the event
      }
      return new AuditEvent(sequence, time, organizationId, actor, action, resourceType,
          resourceId, clientAddress, known, details == null ? Map.of() : details, hash,
          previousHash);
    }
  }

  private static Stored stored(ResultSet rs) throws SQLException {
    return new Stored(rs.getLong("sequence_number"),
        rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
        rs.getString("organization_id"), rs.getString("actor"), rs.getString("action"),
        rs.getString("resource_type"), rs.getString("resource_id"),
        rs.getString("client_address"), rs.getString("outcome"),
        details(rs.getString("details")), rs.getString("event_hash"),
        rs.getString("previous_hash"));
  }

  private static String json(Map<String, String> details) {
    try {
      return JSON.writeValueAsString(details);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode audit details", e);
    }
  }

  private static Map<String, String> details(String json) {
    try {
      Map<String, String> details = JSON.readValue(json,
          new TypeReference<Map<String, String>>() {});
      return details == null || details.containsKey(null) || details.containsValue(null)
          ? null : details;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
