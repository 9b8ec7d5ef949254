import { Partitioners, type ICustomPartitioner } from 'kafkajs';
import { murmur2 } from './murmur2.js';

export { murmur2 } from './murmur2.js';

/** kafkajs's DefaultPartitioner (the Java client's partitions), with murmur2.ts's hash for string keys. */
export const murmur2Partitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if ((message.partition === undefined || message.partition === null) && typeof message.key === 'string') {
      return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
    }
    return fallback(args);
  };
};
