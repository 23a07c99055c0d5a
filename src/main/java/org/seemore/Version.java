package org.seemore;

/** seemore's version, in one place: the CLI's {@code --version} and the tags of a tracked run read it. */
public final class Version {
    /** Keep equal to the version in pom.xml. */
    public static final String NUMBER = "0.1.0";

    private Version() {}
}
