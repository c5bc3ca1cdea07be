package ai.lepton.api;

/** Signs in with the code of a one-time sign-in link ({@code /signin/<code>}). */
public record LinkSignIn(String code) {}
