package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.datasets.DatasetStore.DatasetRow;
import ai.lepton.server.datasets.DatasetStore.VersionRow;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The dataset store on H2 and on PostgreSQL: isolation between organizations, version numbers. */
class JdbiDatasetStoreTest {
  private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  private static DatasetRow dataset(String id, String org, String name) {
    return new DatasetRow(id, org, null, name, "", "usr_a", NOW);
  }

  private static VersionRow version(String id, String org, String dataset, int number) {
    return new VersionRow(id, org, dataset, number, "CSV", "data.csv", "org/" + org + "/" + id,
        10, "ab".repeat(32), 3, "{}", null, null, "usr_a", NOW, null, null);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anotherOrganizationsDatasetsAndVersionsReadAsMissing(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JdbiDatasetStore store = new JdbiDatasetStore(db);
      db.jdbi().useTransaction(tx -> {
        store.insertDataset(tx, dataset("ds_1", "org_a", "iris"));
        store.insertDataset(tx, dataset("ds_2", "org_b", "iris")); // same name, another org
        store.insertVersion(tx, version("dsv_1", "org_a", "ds_1", 1));
      });
      assertEquals("iris", store.dataset("org_a", "ds_1").orElseThrow().name());
      assertTrue(store.dataset("org_b", "ds_1").isEmpty());
      assertTrue(store.version("org_b", "dsv_1").isEmpty());
      assertTrue(store.versions("org_b", "ds_1").isEmpty());
      assertEquals(List.of("ds_1"), store.datasets("org_a", null).stream().map(DatasetRow::id)
          .toList());
      assertEquals("ds_2", store.datasetByName("org_b", "iris").orElseThrow().id());
      VersionRow v = store.version("org_a", "dsv_1").orElseThrow();
      assertEquals(NOW, v.createdAt().truncatedTo(ChronoUnit.SECONDS));
      assertTrue(store.blobReferenced("org/org_a/dsv_1"));
      assertFalse(store.blobReferenced("org/org_a/other"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void latestVersionsAndNumbersAreReadPerOrganization(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JdbiDatasetStore store = new JdbiDatasetStore(db);
      db.jdbi().useTransaction(tx -> {
        store.insertDataset(tx, dataset("ds_1", "org_a", "iris"));
        store.insertDataset(tx, dataset("ds_2", "org_a", "empty"));
        store.insertDataset(tx, dataset("ds_3", "org_b", "iris"));
        store.insertVersion(tx, version("dsv_1", "org_a", "ds_1", 1));
        store.insertVersion(tx, version("dsv_2", "org_a", "ds_1", 2));
        store.insertVersion(tx, version("dsv_3", "org_b", "ds_3", 1));
      });
      assertEquals(Map.of("ds_1", 2), store.latestVersions("org_a"));
      assertEquals("dsv_2", store.version("org_a", "ds_1", 2).orElseThrow().id());
      assertEquals(3, store.version("org_a", "ds_1", 2).orElseThrow().rows());
      assertTrue(store.version("org_b", "ds_1", 2).isEmpty());
      assertTrue(store.version("org_a", "ds_1", 3).isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theSweepSeesTheOrganizationsThatExist(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JdbiDatasetStore store = new JdbiDatasetStore(db);
      db.jdbi().useTransaction(tx -> {
        for (String org : List.of("org_b", "org_a")) {
          tx.createUpdate("INSERT INTO organization (id, name, created_at)"
              + " VALUES (:id, :id, now())").bind("id", org).execute();
        }
        store.insertDataset(tx, dataset("ds_9", "org_gone", "iris")); // rows of no organization
      });
      assertEquals(List.of("org_a", "org_b"), store.organizations());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aDeletedVersionIsATombstoneWhoseNumberIsNeverGivenAgain(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JdbiDatasetStore store = new JdbiDatasetStore(db);
      db.jdbi().useTransaction(tx -> {
        store.insertDataset(tx, dataset("ds_1", "org_a", "iris"));
        store.insertVersion(tx, version("dsv_1", "org_a", "ds_1", 1));
        store.insertVersion(tx, version("dsv_2", "org_a", "ds_1", 2));
      });
      Instant later = NOW.plusSeconds(60);
      assertFalse((boolean) db.jdbi().inTransaction(tx -> store.deleteVersion(tx, "org_b", "dsv_2",
          "usr_b", later)), "another organization's version reads as missing");
      assertTrue((boolean) db.jdbi().inTransaction(tx -> store.deleteVersion(tx, "org_a", "dsv_2",
          "usr_a", later)));
      assertFalse((boolean) db.jdbi().inTransaction(tx -> store.deleteVersion(tx, "org_a", "dsv_2",
          "usr_a", later)), "deleted already");
      VersionRow tombstone = store.version("org_a", "dsv_2").orElseThrow();
      assertEquals(later, tombstone.deletedAt());
      assertEquals("usr_a", tombstone.deletedBy());
      assertEquals(null, tombstone.profileJson());
      assertFalse(store.blobReferenced(tombstone.blobKey()), "its blob may be swept");
      assertEquals(Map.of("ds_1", 1), store.latestVersions("org_a"));
      assertEquals(3, (int) db.jdbi().inTransaction(tx -> {
        assertTrue(store.lockDataset(tx, "org_a", "ds_1"));
        return store.nextVersionNumber(tx, "org_a", "ds_1");
      }));

      db.jdbi().useTransaction(tx -> store.deleteDataset(tx, "org_a", "ds_1"));
      assertTrue(store.dataset("org_a", "ds_1").isEmpty());
      assertEquals(List.of(), store.versions("org_a", "ds_1"));
      assertFalse((boolean) db.jdbi().inTransaction(tx -> store.lockDataset(tx, "org_a", "ds_1")));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aNameIsUniqueWithinItsOrganization(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JdbiDatasetStore store = new JdbiDatasetStore(db);
      db.jdbi().useTransaction(tx -> store.insertDataset(tx, dataset("ds_1", "org_a", "iris")));
      assertThrows(UnableToExecuteStatementException.class, () -> db.jdbi().useTransaction(
          tx -> store.insertDataset(tx, dataset("ds_9", "org_a", "iris"))));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void concurrentUploadsToOneDatasetTakeConsecutiveNumbers(TestDatabases.Named kind)
      throws Exception {
    try (Database db = kind.open().get()) {
      JdbiDatasetStore store = new JdbiDatasetStore(db);
      db.jdbi().useTransaction(tx -> store.insertDataset(tx, dataset("ds_1", "org_a", "iris")));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          String id = "dsv_" + i;
          done.add(pool.submit(() -> db.jdbi().useTransaction(tx -> {
            store.lockDataset(tx, "org_a", "ds_1");
            store.insertVersion(tx, version(id, "org_a", "ds_1",
                store.nextVersionNumber(tx, "org_a", "ds_1")));
          })));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      List<Integer> numbers = store.versions("org_a", "ds_1").stream().map(VersionRow::number)
          .toList();
      List<Integer> expected = new ArrayList<>();
      for (int i = 1; i <= 16; i++) {
        expected.add(i);
      }
      assertEquals(expected, numbers);
    }
  }
}
