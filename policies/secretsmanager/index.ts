export { secretRotation } from "./secret-rotation";
