package dev.atelier.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every object store must do, run against each implementation by a short subclass. Every test
 * works below its own random prefix of {@link #bucket()}, so runs against a shared store do not
 * see each other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ObjectStoreContract {
  @TempDir
  Path tmp;

  private S3Uri base;

  /** The store under test, started (and closed by the subclass). */
  protected abstract ObjectStore store();

  /** A bucket the tests may write to. */
  protected abstract String bucket();

  @BeforeEach
  void prefix() {
    store().ensureBucket(bucket());
    base = new S3Uri(bucket(), "contract-" + UUID.randomUUID() + "/");
  }

  private S3Uri at(String relative) {
    return base.child(relative);
  }

  private static String read(InputStream in) throws Exception {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void putGetStatListDelete() throws Exception {
    S3Uri hello = at("hello.txt");
    store().put(hello, "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
    assertThat(read(store().get(hello))).isEqualTo("hello");
    try (ObjectStore.ObjectContent content = store().read(hello)) {
      assertThat(content.contentType()).startsWith("text/plain");
      assertThat(content.size()).isEqualTo(5);
    }
    ObjectInfo info = store().stat(hello).orElseThrow();
    assertThat(info.key()).isEqualTo(hello.key());
    assertThat(info.size()).isEqualTo(5);
    assertThat(info.lastModified()).isNotNull();
    assertThat(store().list(base)).extracting(ObjectInfo::key).containsExactly(hello.key());
    assertThat(store().totalSize(base)).isEqualTo(5);
    store().delete(hello);
    assertThat(store().stat(hello)).isEmpty();
    assertThat(store().list(base)).isEmpty();
    store().delete(hello);
  }

  @Test
  void missingObjectIsNoSuchObjectNamingTheUri() {
    S3Uri missing = at("missing.bin");
    assertThat(store().stat(missing)).isEmpty();
    assertThatThrownBy(() -> store().get(missing)).isInstanceOf(NoSuchObjectException.class)
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> store().download(at("nothing/"), tmp, ObjectStore.Progress.NONE))
        .isInstanceOf(NoSuchObjectException.class).hasMessageContaining(at("nothing/").toString());
    assertThatThrownBy(() -> store().get(new S3Uri("no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8), "x")))
        .isInstanceOf(NoSuchObjectException.class);
  }

  @Test
  void prefixDownloadKeepsNestedKeysRelativeToThePrefix() throws Exception {
    store().put(at("data/train/a.csv"), "a".getBytes(StandardCharsets.UTF_8), "text/csv");
    store().put(at("data/train/sub/deeper/b.csv"), "bb".getBytes(StandardCharsets.UTF_8), "text/csv");
    store().put(at("data/other.csv"), "o".getBytes(StandardCharsets.UTF_8), "text/csv");
    AtomicLong seen = new AtomicLong();
    long n = store().download(at("data/train"), tmp.resolve("out"), seen::addAndGet);
    assertThat(n).isEqualTo(3);
    assertThat(seen).hasValue(3);
    assertThat(Files.readString(tmp.resolve("out/a.csv"))).isEqualTo("a");
    assertThat(Files.readString(tmp.resolve("out/sub/deeper/b.csv"))).isEqualTo("bb");
    assertThat(tmp.resolve("out/other.csv")).doesNotExist();
    assertThat(store().totalSize(at("data/train"))).isEqualTo(3);
    assertThat(store().totalSize(at("data"))).isEqualTo(4);
  }

  @Test
  void prefixThatIsOneObjectsKeyDownloadsItUnderItsFileName() throws Exception {
    store().put(at("models/model.tar.gz"), new byte[] {1, 2, 3}, "application/gzip");
    long n = store().download(at("models/model.tar.gz"), tmp.resolve("m"), ObjectStore.Progress.NONE);
    assertThat(n).isEqualTo(3);
    assertThat(Files.readAllBytes(tmp.resolve("m/model.tar.gz"))).containsExactly(1, 2, 3);
    try (Stream<Path> files = Files.list(tmp.resolve("m"))) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void largeFileStreamsBothWaysWithProgressSummingToItsSize() throws Exception {
    Path big = tmp.resolve("big.bin");
    long size = 20L << 20;
    Random random = new Random(42);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(big)) {
      for (long written = 0; written < size; written += chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    AtomicLong up = new AtomicLong();
    assertThat(store().uploadFile(big, at("big/big.bin"), up::addAndGet)).isEqualTo(size);
    assertThat(up).hasValue(size);
    assertThat(store().stat(at("big/big.bin")).orElseThrow().size()).isEqualTo(size);
    AtomicLong down = new AtomicLong();
    assertThat(store().download(at("big/"), tmp.resolve("back"), down::addAndGet)).isEqualTo(size);
    assertThat(down).hasValue(size);
    assertThat(sha256(tmp.resolve("back/big.bin"))).isEqualTo(sha256(big));
  }

  @Test
  void uploadDirectoryRoundTrips() throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("a/b"));
    Files.writeString(src.resolve("top.txt"), "top");
    Files.writeString(src.resolve("a/b/leaf.txt"), "leaf");
    Files.createDirectories(src.resolve("empty"));
    assertThat(store().uploadDirectory(src, at("dir"), ObjectStore.Progress.NONE)).isEqualTo(7);
    assertThat(store().list(at("dir/"))).extracting(ObjectInfo::key)
        .containsExactlyInAnyOrder(at("dir/top.txt").key(), at("dir/a/b/leaf.txt").key());
    store().download(at("dir"), tmp.resolve("copy"), ObjectStore.Progress.NONE);
    assertThat(Files.readString(tmp.resolve("copy/top.txt"))).isEqualTo("top");
    assertThat(Files.readString(tmp.resolve("copy/a/b/leaf.txt"))).isEqualTo("leaf");
  }

  @Test
  void keysWithSpacesAndUnicodeRoundTrip() throws Exception {
    S3Uri odd = at("my data/résumé ünïcode 数据 +&=.txt");
    store().put(odd, "ü".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    assertThat(read(store().get(odd))).isEqualTo("ü");
    assertThat(store().list(at("my data/"))).extracting(ObjectInfo::key).containsExactly(odd.key());
    store().download(at("my data"), tmp.resolve("odd"), ObjectStore.Progress.NONE);
    assertThat(Files.readString(tmp.resolve("odd/résumé ünïcode 数据 +&=.txt"))).isEqualTo("ü");
  }

  @Test
  void traversalKeysAreRefused() {
    assertThatThrownBy(() -> S3Uri.parse("s3://" + bucket() + "/a/../../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("..");
    assertThatThrownBy(() -> base.child("../escape")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Transfers.target(tmp, base, base.key() + "x/../../../escape"))
        .isInstanceOf(ObjectStoreException.class).hasMessageContaining("..");
  }

  /**
   * Writes {@code body} at {@code uri}: the store either holds it as itself (true) or refuses it
   * with a 400 or 409 that names the URI and says why (false); it never writes it elsewhere.
   */
  private boolean storedAsItselfOrRefused(S3Uri uri, String body) throws Exception {
    String predicted = store().keys().problem(uri.key(), KeyPolicy.Use.OBJECT);
    try {
      store().put(uri, body.getBytes(StandardCharsets.UTF_8), "text/plain");
    } catch (InvalidObjectKeyException e) {
      assertThat(e.status()).as(uri.toString()).isIn(400, 409);
      assertThat(e.getMessage()).as(uri.toString()).contains(uri.toString());
      if (predicted != null) {
        assertThat(e.getMessage()).contains(predicted);
      }
      return false;
    }
    assertThat(predicted).as("the policy refuses %s, but the store took it", uri).isNull();
    assertThat(read(store().get(uri))).as(uri.toString()).isEqualTo(body);
    assertThat(store().stat(uri)).as(uri.toString()).isPresent();
    return true;
  }

  @Test
  void keysThatAFilePathWouldMergeAreStoredApartOrRefusedNeverAliased() throws Exception {
    store().put(at("odd/a/b"), "the original".getBytes(StandardCharsets.UTF_8), "text/plain");
    for (String alias : List.of("odd/a//b", "odd//a/b", "odd/a/b//")) {
      S3Uri uri = new S3Uri(bucket(), base.key() + alias);
      if (alias.endsWith("/")) {
        assertThatThrownBy(() -> store().put(uri, new byte[] {1}, null)).isInstanceOf(InvalidObjectKeyException.class)
            .hasMessageContaining("names a folder, not an object");
        continue;
      }
      boolean stored = storedAsItselfOrRefused(uri, "written as " + alias);
      assertThat(read(store().get(at("odd/a/b")))).as("after writing %s", alias).isEqualTo("the original");
      assertThat(store().list(at("odd/")).stream().map(ObjectInfo::key))
          .as("listing after writing %s", alias).contains(at("odd/a/b").key());
      if (stored) {
        assertThat(store().list(at("odd/"))).extracting(ObjectInfo::key).contains(uri.key());
        store().delete(uri);
        assertThat(read(store().get(at("odd/a/b")))).isEqualTo("the original");
      } else {
        assertThatThrownBy(() -> store().get(uri)).isInstanceOf(InvalidObjectKeyException.class);
        assertThatThrownBy(() -> store().delete(uri)).isInstanceOf(InvalidObjectKeyException.class);
        assertThat(read(store().get(at("odd/a/b")))).as("after deleting %s", alias).isEqualTo("the original");
      }
    }
  }

  @Test
  void aKeyWithALeadingSlashIsItsOwnObjectOrRefusedWithA400() throws Exception {
    S3Uri lead = new S3Uri(bucket(), "/" + base.key() + "etc/passwd");
    store().put(at("etc/passwd"), "kept".getBytes(StandardCharsets.UTF_8), "text/plain");
    if (storedAsItselfOrRefused(lead, "leading slash")) {
      store().delete(lead);
    } else {
      assertThatThrownBy(() -> store().list(new S3Uri(bucket(), "/"))).isInstanceOf(InvalidObjectKeyException.class)
          .hasMessageContaining("starts with '/'");
    }
    assertThat(read(store().get(at("etc/passwd")))).isEqualTo("kept");
  }

  @Test
  void dotSegmentsAreRefusedSayingWhyForEveryStore() {
    for (String key : List.of("odd/./c", "./c", "odd/.", "odd/../c", "..")) {
      assertThatThrownBy(() -> S3Uri.parse("s3://" + bucket() + "/" + base.key() + key)).as(key)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relative paths");
    }
    assertThat(S3Uri.parse("s3://" + bucket() + "/" + base.key() + ".hidden/..x/x../...").key()).endsWith("...");
  }

  @Test
  void percentSignsPlusAndUnicodeFormsAreKeysOfTheirOwn() throws Exception {
    // Each pair would be one object if a layer decoded percent-escapes, read '+' as a space, or
    // normalized Unicode; S3 keeps them apart, and so must every store.
    List<String> keys = List.of("enc/a%2Fb", "enc/a/b", "enc/%41", "enc/A", "enc/x+y", "enc/x y", "enc/%25",
        "enc/\u00e9", "enc/e\u0301", "enc/%C3%A9", "enc/\u00c9");
    for (String k : keys) {
      assertThat(storedAsItselfOrRefused(at(k), "body of " + k)).as(k).isTrue();
    }
    for (String k : keys) {
      assertThat(read(store().get(at(k)))).as(k).isEqualTo("body of " + k);
    }
    assertThat(store().list(at("enc/"))).extracting(ObjectInfo::key)
        .containsExactlyInAnyOrderElementsOf(keys.stream().map(k -> at(k).key()).toList());
  }

  @Test
  void longSegmentsAreStoredOrRefusedWithTheLimit() throws Exception {
    S3Uri longName = at("long/" + "n".repeat(240));
    S3Uri longFolder = at("long/" + "f".repeat(300) + "/x");
    S3Uri fits = at("long/" + "n".repeat(200));
    assertThat(storedAsItselfOrRefused(fits, "fits")).isTrue();
    KeyPolicy keys = store().keys();
    if (keys.maxNameSegmentBytes() < 1024) {
      // The policy's limits are the store's own: a name and a folder just at them are held.
      assertThat(storedAsItselfOrRefused(at("edge/" + "f".repeat(keys.maxFolderSegmentBytes()) + "/"
          + "n".repeat(keys.maxNameSegmentBytes())), "at the limits")).isTrue();
    }
    for (S3Uri uri : List.of(longName, longFolder)) {
      if (!storedAsItselfOrRefused(uri, "long")) {
        assertThatThrownBy(() -> store().put(uri, new byte[] {1}, null)).hasMessageContaining("bytes long");
      }
    }
  }

  @Test
  void namesTheStoreKeepsForItselfAreRefusedOrListed() throws Exception {
    for (String k : List.of("own/.mpus-upload", "own/.s3proxy-slash", "own/.s3proxy-versions/x")) {
      if (storedAsItselfOrRefused(at(k), "mine")) {
        assertThat(store().list(at("own/"))).as("a stored object is listed").extracting(ObjectInfo::key)
            .contains(at(k).key());
      }
    }
  }

  @Test
  void anObjectAndAFolderOfTheSameNameAreBothKeptOrTheSecondIsA409() throws Exception {
    store().put(at("both/x"), "file".getBytes(StandardCharsets.UTF_8), "text/plain");
    S3Uri under = at("both/x/y");
    try {
      store().put(under, "under".getBytes(StandardCharsets.UTF_8), "text/plain");
      assertThat(read(store().get(under))).isEqualTo("under");
    } catch (InvalidObjectKeyException e) {
      assertThat(e.status()).isEqualTo(409);
      assertThat(e.getMessage()).contains(under.toString()).contains(at("both/x").toString()).contains("is an object");
    }
    assertThat(read(store().get(at("both/x")))).isEqualTo("file");

    store().put(at("both/q/r"), "deep".getBytes(StandardCharsets.UTF_8), "text/plain");
    S3Uri folder = at("both/q");
    try {
      store().put(folder, "file".getBytes(StandardCharsets.UTF_8), "text/plain");
      assertThat(read(store().get(folder))).isEqualTo("file");
    } catch (InvalidObjectKeyException e) {
      assertThat(e.status()).isEqualTo(409);
      assertThat(e.getMessage()).contains(folder.toString()).contains(at("both/q/r").toString());
    }
    assertThat(read(store().get(at("both/q/r")))).isEqualTo("deep");
  }

  @Test
  void emptyPrefixDirectoryIsNoSuchObject() throws Exception {
    store().put(at("full/x.txt"), new byte[] {7}, "text/plain");
    assertThatThrownBy(() -> store().download(at("empty/"), tmp.resolve("e"), ObjectStore.Progress.NONE))
        .isInstanceOf(NoSuchObjectException.class).hasMessageContaining(at("empty/").toString());
    assertThat(store().list(at("empty/"))).isEmpty();
    assertThat(store().totalSize(at("empty/"))).isZero();
  }

  @Test
  void bucketCreationIsIdempotent() {
    String fresh = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    store().ensureBucket(fresh);
    store().ensureBucket(fresh);
    store().put(new S3Uri(fresh, "k"), new byte[] {1}, null);
    assertThat(store().list(new S3Uri(fresh, ""))).hasSize(1);
    store().delete(new S3Uri(fresh, "k"));
    assertThat(store().problem()).isNull();
  }

  @Test
  void listStopsAtTheLimit() {
    for (int i = 0; i < 5; i++) {
      store().put(at("many/" + i), new byte[] {(byte) i}, null);
    }
    List<ObjectInfo> three = store().list(at("many/"), 3);
    assertThat(three).hasSize(3);
    assertThat(store().list(at("many/"))).hasSize(5);
  }

  static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = new byte[1 << 16];
      for (int n; (n = in.read(b)) > 0; ) {
        digest.update(b, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
