// A checkpoint is one safetensors file or a set of shards named by `model.safetensors.index.json`.
// Either way it is one name → tensor table; tensors are read one at a time, on demand.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { HostTensor } from '../../engine/tensor';
import { SafetensorsError, type TensorEntry } from './safetensors-format';
import { SafetensorsFile } from './safetensors-file';

export const SINGLE_FILE_NAME = 'model.safetensors';
export const SHARD_INDEX_NAME = 'model.safetensors.index.json';

const shardIndexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  weight_map: z.record(z.string(), z.string()),
});

export class Checkpoint {
  /** The directory, file or index the checkpoint was opened from. */
  readonly source: string;
  readonly files: readonly SafetensorsFile[];
  /** The single file's `__metadata__`, or the index's `metadata` for a sharded checkpoint. */
  readonly metadata: Readonly<Record<string, unknown>>;
  private readonly owner: Map<string, SafetensorsFile>;

  private constructor(source: string, files: SafetensorsFile[], metadata: Record<string, unknown>, owner: Map<string, SafetensorsFile>) {
    this.source = source;
    this.files = files;
    this.metadata = metadata;
    this.owner = owner;
  }

  /**
   * Opens a model directory (model.safetensors, else model.safetensors.index.json), a .safetensors
   * file, or an index file. Every file is validated before anything is returned.
   */
  static open(path: string): Checkpoint {
    if (!existsSync(path)) throw new SafetensorsError(`${path}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      const single = join(path, SINGLE_FILE_NAME);
      if (existsSync(single)) return Checkpoint.openSingle(single);
      const index = join(path, SHARD_INDEX_NAME);
      if (existsSync(index)) return Checkpoint.openSharded(index);
      throw new SafetensorsError(
        `${path}: no ${SINGLE_FILE_NAME} or ${SHARD_INDEX_NAME} (Lontar reads safetensors checkpoints only; convert pytorch_model.bin first)`,
      );
    }
    return path.endsWith('.json') ? Checkpoint.openSharded(path) : Checkpoint.openSingle(path);
  }

  private static openSingle(path: string): Checkpoint {
    const file = SafetensorsFile.open(path);
    const owner = new Map(file.names().map((n) => [n, file]));
    return new Checkpoint(path, [file], { ...file.metadata }, owner);
  }

  private static openSharded(indexPath: string): Checkpoint {
    const index = readShardIndex(indexPath);
    const dir = dirname(indexPath);
    const byShard = new Map<string, string[]>();
    for (const [tensor, shard] of Object.entries(index.weight_map)) {
      if (shard !== basename(shard) || shard === '..' || shard === '.' || shard.includes('\\')) {
        throw new SafetensorsError(`${indexPath}: shard name "${shard}" (for tensor "${tensor}") must be a plain file name in the same folder`);
      }
      const list = byShard.get(shard) ?? [];
      list.push(tensor);
      byShard.set(shard, list);
    }
    const shards = [...byShard].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [shard, tensors] of shards) {
      if (!existsSync(join(dir, shard))) {
        throw new SafetensorsError(`${indexPath}: shard ${shard} (holding "${tensors[0]}" and ${tensors.length - 1} more) does not exist`);
      }
    }
    const files: SafetensorsFile[] = [];
    const owner = new Map<string, SafetensorsFile>();
    try {
      for (const [shard, tensors] of shards) {
        const file = SafetensorsFile.open(join(dir, shard));
        files.push(file);
        for (const tensor of tensors) {
          if (!file.has(tensor)) throw new SafetensorsError(`${indexPath}: tensor "${tensor}" is mapped to ${shard}, which does not contain it`);
        }
        for (const name of file.names()) {
          const other = owner.get(name);
          if (other) throw new SafetensorsError(`${indexPath}: tensor "${name}" is stored twice, in ${basename(other.path)} and ${shard}`);
          if (index.weight_map[name] !== shard) {
            throw new SafetensorsError(`${indexPath}: ${shard} holds tensor "${name}", which the index maps to ${index.weight_map[name] ?? 'no shard'}`);
          }
          owner.set(name, file);
        }
      }
    } catch (error) {
      for (const f of files) f.close();
      throw error;
    }
    return new Checkpoint(indexPath, files, { ...(index.metadata ?? {}) }, owner);
  }

  /** Tensor names in sorted order. */
  names(): string[] {
    return [...this.owner.keys()].sort();
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  entry(name: string): TensorEntry {
    return this.fileOf(name).entry(name);
  }

  read(name: string): HostTensor {
    return this.fileOf(name).read(name);
  }

  readInto(name: string, dest: HostTensor['data']): void {
    this.fileOf(name).readInto(name, dest);
  }

  readRawChunks(name: string, onChunk: (bytes: Uint8Array) => void): void {
    this.fileOf(name).readRawChunks(name, onChunk);
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) throw new SafetensorsError(`${this.source}: checkpoint has no tensor named "${name}"`);
    return file;
  }
}

function readShardIndex(path: string): z.infer<typeof shardIndexSchema> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SafetensorsError(`${path}: shard index is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = shardIndexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SafetensorsError(`${path}: shard index ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (Object.keys(parsed.data.weight_map).length === 0) throw new SafetensorsError(`${path}: shard index maps no tensors`);
  return parsed.data;
}
