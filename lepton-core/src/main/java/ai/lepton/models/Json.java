package ai.lepton.models;

import ai.lepton.LeptonException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict JSON and UTF-8 reading shared by the model file code. */
final class Json {
  /**
   * Rejects repeated keys and anything after the top-level value: JSON parsers disagree on which
   * copy of a repeated key wins, and a file that two readers see differently is an attack surface.
   */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /**
   * Parses {@code text}, or throws a {@link LeptonException} starting with {@code what} (which names
   * the file or argument) and saying what is wrong.
   */
  static JsonNode parse(String text, String what) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new LeptonException(what + " is empty; expected a JSON value such as {}");
      }
      return node;
    } catch (JacksonException e) {
      throw new LeptonException(what + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  /**
   * Decodes UTF-8, rejecting malformed bytes instead of replacing them, so that the text we keep is
   * exactly what the file holds.
   */
  static String utf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new LeptonException(what + " is not valid UTF-8 text (" + e + ")", e);
    }
  }
}
