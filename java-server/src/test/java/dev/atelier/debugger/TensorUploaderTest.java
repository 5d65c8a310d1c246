package dev.atelier.debugger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.config.ConfigLoader;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import dev.atelier.storage.ObjectStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live upload of a tensors folder, against the real embedded S3 server. */
class TensorUploaderTest {
  private static ObjectStore store;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    Path data = Files.createTempDirectory("atelier-uploader");
    store = ObjectStores.open(ConfigLoader.load(null, Map.of(), Map.of(), Map.of("dataDir", data.toString(),
        "token", "t")));
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  private void write(String rel, String text) throws Exception {
    Path f = dir.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text, StandardCharsets.UTF_8);
  }

  private String read(S3Uri uri) throws Exception {
    try (var in = store.get(uri)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void eachPassUploadsWhatIsNewOrChangedAndLeavesTemporaryFiles() throws Exception {
    S3Uri prefix = S3Uri.parse("s3://atelier/uploader-test/" + System.nanoTime() + "/debug-output");
    TensorUploader up = new TensorUploader(store, dir, prefix);
    write("events/000000000000/000000000000_worker_0.atd", "step0");
    write("index/000000000000/000000000000_worker_0.json", "{\"step\": 0}");
    write("events/000000000005/.000000000005_worker_0.atd.tmp", "half written");
    assertThat(up.pass()).isEqualTo(2);
    assertThat(read(prefix.child("index/000000000000/000000000000_worker_0.json"))).isEqualTo("{\"step\": 0}");
    assertThat(read(prefix.child("events/000000000000/000000000000_worker_0.atd"))).isEqualTo("step0");
    assertThat(store.list(prefix).stream().map(ObjectInfo::key).toList()).noneMatch(k -> k.contains(".tmp"));

    assertThat(up.pass()).as("nothing changed").isZero();
    write("events/000000000005/000000000005_worker_0.atd", "step5");
    write("index/000000000005/000000000005_worker_0.json", "{\"step\": 5}");
    Path changed = dir.resolve("index/000000000000/000000000000_worker_0.json");
    Files.writeString(changed, "{\"step\": 0, \"more\": true}");
    Files.setLastModifiedTime(changed, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    write(TensorUploader.END_MARKER, "1796000000");
    assertThat(up.pass()).isEqualTo(4);
    assertThat(read(prefix.child("index/000000000000/000000000000_worker_0.json"))).contains("more");
    assertThat(read(prefix.child(TensorUploader.END_MARKER))).isEqualTo("1796000000");
  }

  @Test
  void eventFilesGoBeforeIndexFilesAndTheEndMarkerLast() {
    List<String> order = new java.util.ArrayList<>(List.of(TensorUploader.END_MARKER, "index/000000000001/1_w.json",
        "collections/000000000000/worker_0_collections.json", "events/000000000001/1_w.atd"));
    order.sort(java.util.Comparator.comparingInt(TensorUploader::rank));
    assertThat(order).containsExactly("events/000000000001/1_w.atd", "collections/000000000000/worker_0_collections.json",
        "index/000000000001/1_w.json", TensorUploader.END_MARKER);
    assertThat(TensorUploader.temporary(".x.atd")).isTrue();
    assertThat(TensorUploader.temporary("x.atd.tmp")).isTrue();
    assertThat(TensorUploader.temporary("000000000001_worker_0.atd")).isFalse();
  }

  @Test
  void aMissingFolderIsNothingToUpload() throws Exception {
    assertThat(new TensorUploader(store, dir.resolve("not-yet"), S3Uri.parse("s3://atelier/x")).pass()).isZero();
  }
}
