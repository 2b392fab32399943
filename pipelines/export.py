"""Export of a published version to the Hugging Face Hub: its sealed files as one commit to a dataset repo.

The version is verified first (a changed file is never published), then every file goes up in
one `create_commit`, so the repository shows the whole version or nothing of it. The token is
huggingface_hub's own (HF_TOKEN, or what `hf auth login` stored); it is never printed. The
network errors caught are httpx2's, the HTTP client of huggingface_hub 2.x (pinned in the `hf`
extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus.errors import UserError
from corpus.store import list_files, read_json
from corpus.verify import verify_version

REPO_TYPE = "dataset"


@dataclass(frozen=True)
class Upload:
    """What an export sends: the version's files (path in the repo, bytes) and the commit message."""

    repo: str
    folder: Path
    files: list[tuple[str, int]]
    message: str

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self.files)


def prepare_upload(folder: Path, repo: str) -> Upload:
    """Check the repo id and the version (`corpus verify`), and list what goes up."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo)
    except HFValidationError as exc:
        raise UserError(f"--repo {repo!r} is not a Hub repository id (NAME or OWNER/NAME): {exc}") from None
    result = verify_version(folder)
    if result.problems:
        raise UserError(f"{folder} does not verify ({len(result.problems)} problem(s), first: "
                        f"{result.problems[0]}); run `corpus verify` and export a sound version")
    manifest = read_json(folder / "manifest.json")
    files = [(path, (folder / path).stat().st_size) for path in list_files(folder)]
    return Upload(repo, folder, files, f"{manifest['dataset']} {manifest['version']} (corpus-engine)")


def upload(plan: Upload, private: bool = False) -> str:
    """Create the dataset repo if needed and commit every file in one commit; the commit's URL."""
    import httpx2
    from huggingface_hub import CommitOperationAdd, HfApi, constants, get_token
    from huggingface_hub.errors import HfHubHTTPError

    token = get_token()
    prepared = f"{len(plan.files)} files ({plan.total_bytes:,} bytes) of {plan.folder} were prepared"
    if not token:
        raise UserError(f"no Hugging Face token: set HF_TOKEN or run `hf auth login`; {prepared}, "
                        f"nothing was uploaded")
    api = HfApi(token=token)
    operations = [CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(plan.folder / path))
                  for path, _ in plan.files]
    try:
        api.create_repo(plan.repo, repo_type=REPO_TYPE, private=private, exist_ok=True)
        commit = api.create_commit(plan.repo, operations, commit_message=plan.message, repo_type=REPO_TYPE)
    except (HfHubHTTPError, httpx2.HTTPError, OSError) as exc:
        reason = f"{type(exc).__name__}: {exc}".replace(token, "***")
        raise UserError(f"upload to {constants.ENDPOINT} dataset {plan.repo} failed ({reason}); "
                        f"{prepared}, nothing was committed") from None
    return commit.commit_url
