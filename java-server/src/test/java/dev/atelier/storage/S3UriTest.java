package dev.atelier.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.storage.ObjectStore.S3Uri;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class S3UriTest {
  @Test
  void parsesBucketAndKey() {
    assertThat(S3Uri.parse("s3://my-bucket/data/train/a.csv")).isEqualTo(new S3Uri("my-bucket", "data/train/a.csv"));
    assertThat(S3Uri.parse("s3://my.bucket")).isEqualTo(new S3Uri("my.bucket", ""));
    assertThat(S3Uri.parse("s3://abc/")).isEqualTo(new S3Uri("abc", ""));
    assertThat(S3Uri.parse("s3://abc/my data/ü 数据.txt").key()).isEqualTo("my data/ü 数据.txt");
    assertThat(S3Uri.parse("s3://abc/a//b").key()).isEqualTo("a//b");
    assertThat(S3Uri.parse("s3://abc/..a/b..").key()).isEqualTo("..a/b..");
  }

  @Test
  void printsBackAsAnS3Uri() {
    assertThat(S3Uri.parse("s3://abc/k/x").toString()).isEqualTo("s3://abc/k/x");
    assertThat(S3Uri.parse("s3://abc").toString()).isEqualTo("s3://abc/");
  }

  @Test
  void childJoinsWithOneSlash() {
    assertThat(S3Uri.parse("s3://abc/data").child("x/y").toString()).isEqualTo("s3://abc/data/x/y");
    assertThat(S3Uri.parse("s3://abc/data/").child("/x").toString()).isEqualTo("s3://abc/data/x");
    assertThat(S3Uri.parse("s3://abc").child("x").toString()).isEqualTo("s3://abc/x");
    assertThat(S3Uri.parse("s3://abc/d").child("").toString()).isEqualTo("s3://abc/d");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/d").child("../x")).hasMessageContaining("..");
  }

  @Test
  void fileNameIsTheLastSegment() {
    assertThat(S3Uri.parse("s3://abc/a/b/model.tar.gz").fileName()).isEqualTo("model.tar.gz");
    assertThat(S3Uri.parse("s3://abc/a/b/").fileName()).isEqualTo("b");
    assertThat(S3Uri.parse("s3://abc/top").fileName()).isEqualTo("top");
  }

  @Test
  void refusesWhatIsNotAnS3UriSayingWhy() {
    assertThatThrownBy(() -> S3Uri.parse(null)).hasMessageContaining("s3://bucket/key");
    assertThatThrownBy(() -> S3Uri.parse("")).hasMessageContaining("required");
    assertThatThrownBy(() -> S3Uri.parse("bucket/key")).hasMessageContaining("must start with s3://");
    assertThatThrownBy(() -> S3Uri.parse("S3://abc/k")).hasMessageContaining("must start with s3://");
    assertThatThrownBy(() -> S3Uri.parse("http://abc/k")).hasMessageContaining("must start with s3://");
  }

  @Test
  void refusesBadBucketNames() {
    for (String bad : new String[] {"s3://../x", "s3://Bad_Bucket/x", "s3://ab/x", "s3:///x", "s3://-abc/x",
        "s3://abc-/x", "s3://a..b/x", "s3://192.168.1.1/x", "s3://" + "a".repeat(64) + "/x", "s3://ab c/x"}) {
      assertThatThrownBy(() -> S3Uri.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a valid bucket name");
    }
    assertThat(S3Uri.parse("s3://" + "a".repeat(63) + "/x").bucket()).hasSize(63);
  }

  @Test
  void refusesHostileKeys() {
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/a/../b")).hasMessageContaining("'..'");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/..")).hasMessageContaining("'..'");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/x/..")).hasMessageContaining("'..'");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/a\0b")).hasMessageContaining("NUL");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/a\nb")).hasMessageContaining("control character U+000A");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/a\u007fb")).hasMessageContaining("U+007F");
    assertThatThrownBy(() -> S3Uri.parse("s3://abc/" + "é".repeat(513))).hasMessageContaining("1026 bytes");
    assertThat(S3Uri.parse("s3://abc/" + "k".repeat(1024)).key()).hasSize(1024);
    assertThatThrownBy(() -> new S3Uri("abc", "a/../b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void downloadTargetsStayInsideTheDirectory() {
    Path dir = Path.of("/tmp/out");
    S3Uri prefix = S3Uri.parse("s3://abc/data/train");
    assertThat(Transfers.target(dir, prefix, "data/train/a.csv")).isEqualTo(dir.resolve("a.csv"));
    assertThat(Transfers.target(dir, prefix, "data/train/x/y.csv")).isEqualTo(dir.resolve("x/y.csv"));
    assertThat(Transfers.target(dir, prefix, "data/train.csv")).isEqualTo(dir.resolve("train.csv"));
    assertThat(Transfers.target(dir, prefix, "data/train")).isEqualTo(dir.resolve("train"));
    assertThat(Transfers.target(dir, S3Uri.parse("s3://abc/data/"), "data/a")).isEqualTo(dir.resolve("a"));
    assertThatThrownBy(() -> Transfers.target(dir, prefix, "data/train/../../x")).isInstanceOf(ObjectStoreException.class);
  }
}
