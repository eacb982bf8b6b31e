/**
 * Reads the text objects under an S3 prefix that a classifier accepts: the one S3 walk behind the
 * detector's intel lists and custom rules. Objects larger than `maxBytes` are skipped with a warning
 * (an oversized object must not exhaust the function's memory); everything else is read as UTF-8.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DetectorLog } from './ports';

/** A bucket and key prefix (ending in `/`, or empty). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

export interface S3Text<K> {
  readonly bucket: string;
  readonly key: string;
  /** The key below the location's prefix. */
  readonly relativeKey: string;
  readonly text: string;
  /** What the classifier said the object is. */
  readonly kind: K;
}

export async function readS3Texts<K>(
  s3: S3Client,
  location: S3Location,
  classify: (relativeKey: string) => K | undefined,
  maxBytes: number,
  log: DetectorLog,
): Promise<S3Text<K>[]> {
  const texts: S3Text<K>[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key) continue;
      const relativeKey = key.slice(location.prefix.length);
      const kind = classify(relativeKey);
      if (kind === undefined) continue;
      if ((object.Size ?? 0) > maxBytes) {
        log.warn('S3 object too large; skipped', { bucket: location.bucket, key, size: object.Size, max: maxBytes });
        continue;
      }
      const body = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
      const text = (await body.Body?.transformToString('utf-8')) ?? '';
      texts.push({ bucket: location.bucket, key, relativeKey, text, kind });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return texts;
}
