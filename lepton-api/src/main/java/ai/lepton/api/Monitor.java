package ai.lepton.api;

/**
 * A deployment's monitor: the thresholds that raise alerts and what an alert does. In a request,
 * a null field takes its default.
 *
 * @param windowSeconds the window of recent predictions that is compared, 60 to 2,592,000
 *     (30 days); default 86,400 (a day)
 * @param psiThreshold an input feature or the prediction distribution alerts from this PSI,
 *     above 0; default 0.25 (a major shift)
 * @param ksPValueThreshold an input feature alerts when its Kolmogorov-Smirnov p-value falls
 *     below this, 0 (never) to 1; default 0 (with many samples any shift is significant: the PSI
 *     is the usual alert)
 * @param minAccuracy a classifier alerts when its accuracy on feedback falls below this, 0 to 1,
 *     or null (never)
 * @param maxRmse a regression alerts when its RMSE on feedback rises above this, or null
 * @param minSamples the samples (logged inputs, or predictions with feedback) a window needs
 *     before a statistic counts, 1 to 1,000,000; default 100
 * @param action {@code alert} (default) or {@code retrain} (an alert also starts a retraining
 *     job on the latest version of the training dataset)
 */
public record Monitor(Long windowSeconds, Double psiThreshold, Double ksPValueThreshold,
    Double minAccuracy, Double maxRmse, Integer minSamples, String action) {}
