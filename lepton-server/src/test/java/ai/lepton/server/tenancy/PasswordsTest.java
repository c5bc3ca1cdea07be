package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ErrorCode;
import ai.lepton.server.http.ApiException;
import org.junit.jupiter.api.Test;

class PasswordsTest {
  @Test
  void argon2idHashesVerifyTheRightPasswordOnly() {
    String stored = Passwords.hash("correct horse battery staple");
    assertTrue(stored.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), stored);
    assertTrue(Passwords.verify("correct horse battery staple", stored));
    assertFalse(Passwords.verify("correct horse battery stapl", stored));
    assertFalse(Passwords.verify(null, stored));
    assertFalse(Passwords.verify("correct horse battery staple", null));
  }

  @Test
  void eachHashHasItsOwnSalt() {
    String a = Passwords.hash("the same password here");
    String b = Passwords.hash("the same password here");
    assertNotEquals(a, b);
    assertTrue(Passwords.verify("the same password here", b));
  }

  @Test
  void passwordRulesSayWhatIsWrong() {
    ApiException shortOne = assertThrows(ApiException.class,
        () -> Passwords.checkRules("elevenchars"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, shortOne.code());
    assertTrue(shortOne.getMessage().contains("at least 12 characters, received 11"),
        shortOne.getMessage());
    ApiException longOne = assertThrows(ApiException.class,
        () -> Passwords.checkRules("x".repeat(257)));
    assertTrue(longOne.getMessage().contains("at most 256"), longOne.getMessage());
    ApiException blank = assertThrows(ApiException.class,
        () -> Passwords.checkRules(" ".repeat(20)));
    assertTrue(blank.getMessage().contains("only spaces"), blank.getMessage());
    assertThrows(ApiException.class, () -> Passwords.checkRules(null));
    Passwords.checkRules("twelve chars");
    Passwords.checkRules("y".repeat(256));
  }

  @Test
  void idsAreRandomAndPrefixed() {
    String a = Secrets.id("prj_");
    assertTrue(a.matches("prj_[a-z2-7]{26}"), a);
    assertNotEquals(a, Secrets.id("prj_"));
    assertTrue(Secrets.token().matches("lpt_[A-Za-z0-9_-]{43}"));
    assertEquals(64, Secrets.hash("x").length());
  }
}
