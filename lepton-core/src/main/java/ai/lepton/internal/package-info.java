/**
 * Helpers shared between Lepton's packages. Not API: anything here may change or disappear in any
 * release without notice; do not use it from outside Lepton.
 */
package ai.lepton.internal;
