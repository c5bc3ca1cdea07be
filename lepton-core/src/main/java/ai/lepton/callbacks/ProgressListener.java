package ai.lepton.callbacks;

/**
 * Receives training progress: the terminal progress bar is one listener, the platform's live
 * training chart another. Called on the training thread; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {
  void onProgress(Progress progress);
}
