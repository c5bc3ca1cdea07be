/**
 * Helpers shared between the packages of Lepton Core. Not API: public only so that other Lepton
 * packages can reach them; they may change in any release.
 */
package ai.lepton.internal;
