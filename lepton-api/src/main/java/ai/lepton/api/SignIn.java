package ai.lepton.api;

/** Signs in with an email and password, for a browser session. */
public record SignIn(String email, String password) {}
