export { certificateDnsValidation } from "./certificate-dns-validation";
