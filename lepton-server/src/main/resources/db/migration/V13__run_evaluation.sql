-- A run keeps its evaluation report on the held-out split (JSON of ai.lepton.api.EvaluationReport,
-- as model_version.evaluation_json holds it), whether or not it was registered: a search's best
-- trial is published with its own report, not evaluated again. NULL for a run that has not
-- finished, or whose training had no held-out split. base_version_id is the registered model
-- version the run fine-tuned (its lineage's parent), NULL when it trained from fresh weights.
ALTER TABLE runs ADD COLUMN evaluation_json TEXT;
ALTER TABLE runs ADD COLUMN base_version_id VARCHAR(40);
