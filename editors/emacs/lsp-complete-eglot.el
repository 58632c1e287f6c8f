;;; lsp-complete-eglot.el --- lsp-complete with Eglot (Emacs 29+ built-in)  -*- lexical-binding: t; -*-

;; What works with Eglot: suggestions in the completion menu through `completion-at-point'
;; (with Corfu or Company for a popup while typing); code actions with `eglot-code-actions'
;; ("Explain", "Fix with premium model (~$0.004)", ...), whose edits Eglot applies.
;; Not available: ghost text (Eglot does not request textDocument/inlineCompletion) and the
;; status notification. Eglot runs ONE server per buffer: this replaces your usual Python server
;; in these modes. To keep both, use lsp-mode (lsp-complete-lsp-mode.el), which runs several.
;; Checked in a real Emacs by `check.sh eglot' (Debian's Emacs 28.2 with eglot 1.9, batch mode): the
;; server starts from this entry, completion-at-point offers the suggestion, and both the docstring
;; command below and the "Add docstring" code action apply their edits. Eglot asks "Server wants to
;; edit ... Proceed?" before a command's edit (`eglot-confirm-server-initiated-edits').

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               ;; (MODES...) . (PROGRAM ARGS... :initializationOptions PLIST)
               '((python-mode python-ts-mode js-mode js-ts-mode typescript-ts-mode
                  go-mode go-ts-mode rust-mode rust-ts-mode)
                 . ("lsp-complete"
                    :initializationOptions (:completion (:debounce_ms 75 :max_lines 6))))))

;; Start it in Python buffers:
(add-hook 'python-mode-hook #'eglot-ensure)
(add-hook 'python-ts-mode-hook #'eglot-ensure)

;; Ask while typing (Corfu shown; Company works the same way with company-capf):
;; (setq corfu-auto t corfu-auto-delay 0.2 corfu-auto-prefix 1)
;; (global-corfu-mode)

;; Run an lsp-complete command on the region (explain, fix, docstring, tests):
(defun lsp-complete-eglot-command (name)
  "Run lspComplete.NAME on the region or, without one, at point."
  (interactive (list (completing-read "lsp-complete: " '("explain" "fix" "docstring" "tests"))))
  (let* ((beg (if (use-region-p) (region-beginning) (point)))
         (end (if (use-region-p) (region-end) (point))))
    (eglot-execute-command
     (eglot--current-server-or-lose)
     (concat "lspComplete." name)
     (vector (list :uri (eglot--path-to-uri (buffer-file-name))
                   :range (list :start (eglot--pos-to-lsp-position beg)
                                :end (eglot--pos-to-lsp-position end)))))))
;; Newer Eglot (1.17+) renames `eglot-execute-command' to `eglot-execute'; adjust if needed.

;;; lsp-complete-eglot.el ends here
