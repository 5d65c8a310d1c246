package dev.atelier.storage;

import java.io.InputStream;
import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The embedded server's store, taking writes that ask for server-side encryption with keys S3
 * manages ({@code x-amz-server-side-encryption: AES256} or {@code aws:kms}, as the sagemaker SDK
 * sends for its source tarballs) as plain writes: the objects live unencrypted in the data
 * directory, which the server's user alone reads. Encryption with a key the client provides
 * (SSE-C) is refused, since a read without that key would then still succeed.
 */
final class SseAcceptingStore extends ForwardingBlobStore {
  SseAcceptingStore(BlobStore delegate) {
    super(delegate);
  }

  @Override
  public boolean supportsServerSideEncryption() {
    return true;
  }

  @Override
  public PutObjectResponse putBlob(PutObjectRequest request, InputStream body) {
    refuseCustomerKey(request.sseCustomerAlgorithm());
    return super.putBlob(request, body);
  }

  @Override
  public CopyObjectResponse copyBlob(CopyObjectRequest request) {
    refuseCustomerKey(request.sseCustomerAlgorithm());
    return super.copyBlob(request);
  }

  @Override
  public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
    refuseCustomerKey(request.sseCustomerAlgorithm());
    return super.initiateMultipartUpload(request);
  }

  private static void refuseCustomerKey(String algorithm) {
    if (algorithm != null && !algorithm.isEmpty()) {
      throw new S3ProxyException(S3ErrorCode.NOT_IMPLEMENTED,
          "Server-side encryption with customer-provided keys (SSE-C) is not supported by the embedded S3 server.");
    }
  }
}
