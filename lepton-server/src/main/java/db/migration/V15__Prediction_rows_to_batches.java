package db.migration;

import ai.lepton.server.monitoring.PredictionBatches;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/** Moves the prediction log's rows of a sample each into batches (see V14). */
public final class V15__Prediction_rows_to_batches extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    PredictionBatches.moveSampleRows(context.getConnection());
  }
}
