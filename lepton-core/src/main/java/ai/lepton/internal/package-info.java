/**
 * Helpers shared between Lepton's packages. <b>Not API</b>: the classes here are public only so
 * that other Lepton packages can use them; they may change or disappear in any release.
 */
package ai.lepton.internal;
