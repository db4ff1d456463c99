export { keyRotation } from "./key-rotation";
