package io.citus.pgvector.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * A throwaway OpenPGP key made for one test: an RSA 2048 primary key that signs and certifies, as {@code gpg
 * --full-generate-key} makes with the RSA choice, written as gpg exports it: the secret key ({@code gpg
 * --export-secret-keys}, protected by the passphrase when one is given), the public keyring binary ({@code gpg
 * --export}, what Helm's {@code --keyring} reads) and ASCII-armored ({@code gpg --export --armor}).
 */
public record TestPgpKey(String userId, String passphrase, Path secretKey, Path publicKeyring, Path armoredPublicKey) {

    /** Makes a key for {@code userId} into {@code dir}; an empty passphrase leaves the secret key unprotected. */
    public static TestPgpKey generate(Path dir, String userId, String passphrase) throws IOException {
        try {
            RSAKeyPairGenerator rsa = new RSAKeyPairGenerator();
            rsa.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), new SecureRandom(), 2048, 80));
            PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, rsa.generateKeyPair(), new Date());
            PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
            flags.setKeyFlags(true, KeyFlags.SIGN_DATA | KeyFlags.CERTIFY_OTHER);
            PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
            PGPKeyRingGenerator generator = new PGPKeyRingGenerator(
                    PGPSignature.POSITIVE_CERTIFICATION,
                    pair,
                    userId,
                    sha1,
                    flags.generate(),
                    null,
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256),
                    passphrase.isEmpty()
                            ? null
                            : new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256, sha1)
                                    .build(passphrase.toCharArray()));
            PGPSecretKeyRing secret = generator.generateSecretKeyRing();
            String base = userId.replaceAll("[^A-Za-z0-9]+", "-");
            Files.createDirectories(dir);
            Path secretKey = dir.resolve(base + "-secret.gpg");
            Path publicKeyring = dir.resolve(base + "-public.gpg");
            Path armored = dir.resolve(base + "-public.asc");
            Files.write(secretKey, secret.getEncoded());
            byte[] publicRing = generator.generatePublicKeyRing().getEncoded();
            Files.write(publicKeyring, publicRing);
            try (OutputStream out = new ArmoredOutputStream(Files.newOutputStream(armored))) {
                out.write(publicRing);
            }
            return new TestPgpKey(userId, passphrase, secretKey, publicKeyring, armored);
        } catch (PGPException e) {
            throw new IOException("cannot make a test PGP key: " + e.getMessage(), e);
        }
    }
}
