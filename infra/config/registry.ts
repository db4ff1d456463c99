/** The image: what it is built for, which one runs, how many the repository keeps. */
import { z } from "zod";
import { imagePlatforms, type RegistrySettings } from "../registry";
import { integer, quoted, setting, type Assert, type Fits } from "./setting";

export const registrySection = z.object({
  platform: setting(z.enum(imagePlatforms), {
    key: "imagePlatform",
    description: "Platform the image is built for; the tasks run on its CPU architecture",
    expected: `one of ${quoted(imagePlatforms)}`,
    default: "linux/arm64",
  }),
  imageTag: setting(
    z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)
      .refine((tag) => tag !== "latest"),
    {
      key: "imageTag",
      description: "Image tag; unset: GITHUB_SHA, else the checkout's git commit",
      expected: 'an ECR tag (letters, digits, "_", ".", "-"; at most 128) other than "latest"',
      optional: true,
    },
  ),
  imageDigest: setting(z.string().regex(/^sha256:[0-9a-f]{64}$/), {
    key: "imageDigest",
    description:
      "Digest of the image in the stack's repository to run instead of building one (deploy.yml promotes staging's)",
    expected: 'an image digest, "sha256:" and 64 lower-case hex digits',
    optional: true,
  }),
  imagesKept: setting(integer(1, 1000), {
    key: "imagesKept",
    description: "Images the ECR repository keeps (newest first); older ones expire",
    expected: "an integer from 1 to 1000",
  }),
});
export type RegistryConfig = z.infer<typeof registrySection>;
// The loader resolves an unset `imageTag` (see load.ts), so the component always gets one.
export type RegistryFits = Assert<
  Fits<Omit<RegistryConfig, "imageTag"> & { imageTag: string }, RegistrySettings>
>;
