export { topicEncryption } from "./topic-encryption";
